using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;

namespace Sandboxes.Benchmarks;

/// <summary>
/// One <c>RunCommand("echo hi")</c> on an e2b sandbox through the whole SDK (Sandbox, adapter, Connect client) against
/// a bare <see cref="HttpClient"/> making the same HTTP call to the same emulator (run in a child process), in the same
/// run. Target: the SDK adds at most 10% time; allocations per call are reported by the memory diagnoser.
/// </summary>
[MemoryDiagnoser]
public class E2BBenchmarks
{
    private EmulatorProcess _emulator = null!;
    private Sandboxer _client = null!;
    private Sandbox _sandbox = null!;
    private RawEnvdCall _raw = null!;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = EmulatorProcess.Start("e2b");
        _client = new Sandboxer("e2b", _emulator.Config);
        (_sandbox, _) = _client.CreateSandbox();
        _raw = RawFor(_emulator, _sandbox.Id).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _emulator.Dispose();
        BenchmarkState.Cleanup();
    }

    [Benchmark(Baseline = true, Description = "raw HttpClient: process.Start(echo hi)")]
    public Task<string> RawHttp() => _raw.RunAsync();

    [Benchmark(Description = "sandbox.RunCommandAsync(echo hi) on e2b")]
    public async Task<string> SdkRunCommand() => (await _sandbox.RunCommandAsync("echo hi")).Stdout;

    /// <summary>The raw call for a sandbox: its envd access token read from the control plane, as any client would.</summary>
    internal static async Task<RawEnvdCall> RawFor(EmulatorProcess emulator, string sandboxId)
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        http.DefaultRequestHeaders.Add("X-API-Key", emulator.ApiKey);
        var detail = await http.GetFromJsonAsync<JsonObject>($"sandboxes/{sandboxId}");
        return new RawEnvdCall(emulator.BaseUrl, sandboxId, detail!["envdAccessToken"]!.GetValue<string>(), "echo hi");
    }
}
