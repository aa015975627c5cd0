using System.Diagnostics;
using Sandboxes.Emulators;
using Sandboxes.Emulators.Daytona;
using Sandboxes.Emulators.E2B;

namespace Sandboxes.Benchmarks;

/// <summary>
/// A vendor emulator in a child process (this program run as <c>serve VENDOR</c>), so that what a benchmark measures in
/// its own process (time, and allocations per call) is the client's alone: the emulator and the local sandboxes it runs
/// cost the same for the SDK and for its raw-HTTP baseline, and they allocate elsewhere.
/// </summary>
internal sealed class EmulatorProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _vendor;

    private EmulatorProcess(Process process, string vendor, Uri baseUrl, string apiKey)
    {
        _process = process;
        _vendor = vendor;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
    }

    /// <summary>Where the emulator listens (E2B's control plane and envd; Daytona's control plane, which hands out its toolbox proxy).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The API key it accepts.</summary>
    public string ApiKey { get; }

    /// <summary>The config of a client of this vendor that uses it (for e2b, with the conformance suite's working directory).</summary>
    public ProviderConfig Config => _vendor == "e2b"
        ? new()
        {
            ApiKey = ApiKey,
            BaseUrl = BaseUrl,
            Extra = new Dictionary<string, object?> { ["sandbox_url"] = BaseUrl.AbsoluteUri, ["workdir"] = "/workspace" },
        }
        : new() { ApiKey = ApiKey, BaseUrl = BaseUrl };

    /// <summary>Starts the child for <paramref name="vendor"/> (<c>e2b</c> or <c>daytona</c>) and waits until it listens.</summary>
    public static EmulatorProcess Start(string vendor)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(EmulatorProcess).Assembly.Location);
        }

        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(vendor);
        start.ArgumentList.Add(BenchmarkState.Dir);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The emulator process exited before it listened.");
        var parts = line.Split(' ');
        return new EmulatorProcess(process, vendor, new Uri(parts[0]), parts[1]);
    }

    /// <summary>Runs the vendor's emulator in this process until stdin closes (the <c>serve</c> mode).</summary>
    public static async Task ServeAsync(string vendor, string stateDir)
    {
        var options = new EmulatorOptions { StateDir = stateDir };
        await using VendorEmulator emulator = vendor switch
        {
            "e2b" => new E2BEmulator(options),
            "daytona" => new DaytonaEmulator(options),
            _ => throw new ArgumentException($"No emulator for '{vendor}'.", nameof(vendor)),
        };
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
