using BenchmarkDotNet.Attributes;

namespace Sandboxes.Benchmarks;

/// <summary>A benchmark that works in one local sandbox, created before its first iteration and killed after its last.</summary>
public abstract class InSandboxBenchmark
{
    /// <summary>The client that owns <see cref="Sandbox"/>; disposing it kills the sandbox.</summary>
    protected Sandboxer Client { get; private set; } = null!;

    /// <summary>The sandbox the benchmark runs in (public for the figures mode, which drives it directly).</summary>
    public Sandbox Sandbox { get; private set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        Client = new Sandboxer("local", BenchmarkState.Config);
        (Sandbox, _) = Client.CreateSandbox();
        PrepareInputs();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Client.Dispose();
        BenchmarkState.Cleanup();
    }

    /// <summary>Anything else the benchmark needs before it runs (its input files, say).</summary>
    protected virtual void PrepareInputs()
    {
    }
}
