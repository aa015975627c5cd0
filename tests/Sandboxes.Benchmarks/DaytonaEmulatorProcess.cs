using System.Diagnostics;
using Sandboxes.Emulators;
using Sandboxes.Emulators.Daytona;

namespace Sandboxes.Benchmarks;

/// <summary>
/// The Daytona emulator in a child process (this program run as <c>serve-daytona</c>), so that what the benchmark measures
/// in its own process (time, and allocations per call) is the client's alone: the emulator, its toolbox proxy and the
/// local sandboxes cost the same for the SDK and for its raw-HTTP baseline, and they allocate elsewhere.
/// </summary>
internal sealed class DaytonaEmulatorProcess : IDisposable
{
    private readonly Process _process;

    private DaytonaEmulatorProcess(Process process, Uri baseUrl, string apiKey)
    {
        _process = process;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
    }

    /// <summary>Where the control plane listens (it hands out the toolbox proxy's URL).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The API key it accepts.</summary>
    public string ApiKey { get; }

    /// <summary>The config of a daytona client that uses it.</summary>
    public ProviderConfig Config => new() { ApiKey = ApiKey, BaseUrl = BaseUrl };

    /// <summary>Starts the child and waits until it listens.</summary>
    public static DaytonaEmulatorProcess Start()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(DaytonaEmulatorProcess).Assembly.Location);
        }

        start.ArgumentList.Add("serve-daytona");
        start.ArgumentList.Add(BenchmarkState.Dir);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The emulator process exited before it listened.");
        var parts = line.Split(' ');
        return new DaytonaEmulatorProcess(process, new Uri(parts[0]), parts[1]);
    }

    /// <summary>Runs the emulator in this process until stdin closes (the <c>serve-daytona</c> mode).</summary>
    public static async Task ServeAsync(string stateDir)
    {
        await using var emulator = new DaytonaEmulator(new EmulatorOptions { StateDir = stateDir });
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
