using BenchmarkDotNet.Attributes;

namespace Sandboxes.Benchmarks;

/// <summary>Creating and killing a local sandbox. Target: under 25 ms median.</summary>
[MemoryDiagnoser]
public class LifecycleBenchmarks
{
    private Sandboxer _client = null!;

    [GlobalSetup]
    public void Setup() => _client = new Sandboxer("local", BenchmarkState.Config);

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        BenchmarkState.Cleanup();
    }

    [Benchmark(Description = "create + kill")]
    public void CreateAndKill()
    {
        var (sandbox, _) = _client.CreateSandbox();
        sandbox.Kill();
    }
}
