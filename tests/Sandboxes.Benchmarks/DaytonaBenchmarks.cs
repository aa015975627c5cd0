using BenchmarkDotNet.Attributes;

namespace Sandboxes.Benchmarks;

/// <summary>
/// One <c>RunCommand("echo hi")</c> on a daytona sandbox through the whole SDK (Sandbox, adapter, generated toolbox
/// client, wrapper script) against a bare <see cref="HttpClient"/> making the same HTTP call to the same emulator (run in a
/// child process), in the same run. Target: the SDK adds at most 10% time; allocations per call come from the memory
/// diagnoser.
/// </summary>
[MemoryDiagnoser]
public class DaytonaBenchmarks
{
    private EmulatorProcess _emulator = null!;
    private Sandboxer _client = null!;
    private Sandbox _sandbox = null!;
    private RawToolboxCall _raw = null!;

    /// <summary>Starts the emulator, creates the sandbox and prepares the raw call.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _emulator = EmulatorProcess.Start("daytona");
        _client = new Sandboxer("daytona", _emulator.Config);
        (_sandbox, _) = _client.CreateSandbox();
        _raw = RawToolboxCall.ForAsync(_emulator, _sandbox.Id, "echo hi").GetAwaiter().GetResult();
    }

    /// <summary>Kills the sandbox and the emulator.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _emulator.Dispose();
        BenchmarkState.Cleanup();
    }

    /// <summary>The baseline: the same POST /process/execute with a bare HttpClient.</summary>
    [Benchmark(Baseline = true, Description = "raw HttpClient: POST /process/execute(echo hi)")]
    public Task<string> RawHttp() => _raw.RunAsync();

    /// <summary>The SDK's RunCommandAsync.</summary>
    [Benchmark(Description = "sandbox.RunCommandAsync(echo hi) on daytona")]
    public async Task<string> SdkRunCommand() => (await _sandbox.RunCommandAsync("echo hi")).Stdout;
}
