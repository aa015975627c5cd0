using System.Diagnostics;
using Sandboxes.Emulators;
using Sandboxes.Emulators.E2B;

namespace Sandboxes.Benchmarks;

/// <summary>
/// The E2B emulator in a child process (this program run as <c>serve-e2b</c>), so that what the benchmark measures in
/// its own process (time, and allocations per call) is the client's alone: the emulator and the local sandboxes it runs
/// cost the same for the SDK and for its raw-HTTP baseline, and they allocate elsewhere.
/// </summary>
internal sealed class E2BEmulatorProcess : IDisposable
{
    private readonly Process _process;

    private E2BEmulatorProcess(Process process, Uri baseUrl, string apiKey)
    {
        _process = process;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
    }

    /// <summary>Where the emulator listens (control plane and envd).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The API key it accepts.</summary>
    public string ApiKey { get; }

    /// <summary>The config of an e2b client that uses it, with the conformance suite's working directory.</summary>
    public ProviderConfig Config => new()
    {
        ApiKey = ApiKey,
        BaseUrl = BaseUrl,
        Extra = new Dictionary<string, object?> { ["sandbox_url"] = BaseUrl.AbsoluteUri, ["workdir"] = "/workspace" },
    };

    /// <summary>Starts the child and waits until it listens.</summary>
    public static E2BEmulatorProcess Start()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(E2BEmulatorProcess).Assembly.Location);
        }

        start.ArgumentList.Add("serve-e2b");
        start.ArgumentList.Add(BenchmarkState.Dir);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The emulator process exited before it listened.");
        var parts = line.Split(' ');
        return new E2BEmulatorProcess(process, new Uri(parts[0]), parts[1]);
    }

    /// <summary>Runs the emulator in this process until stdin closes (the <c>serve-e2b</c> mode).</summary>
    public static async Task ServeAsync(string stateDir)
    {
        await using var emulator = new E2BEmulator(new EmulatorOptions { StateDir = stateDir });
        await emulator.StartAsync();
        Console.WriteLine($"{emulator.BaseUrl.AbsoluteUri} {emulator.Options.ApiKey}");
        await Console.In.ReadToEndAsync();
    }

    public void Dispose()
    {
        // Closing stdin ends the child, which kills the sandboxes it ran.
        _process.StandardInput.Close();
        if (!_process.WaitForExit(30_000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
