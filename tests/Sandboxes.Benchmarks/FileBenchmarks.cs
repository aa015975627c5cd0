using BenchmarkDotNet.Attributes;

namespace Sandboxes.Benchmarks;

/// <summary>
/// A 256 MiB file written into a sandbox and read back, against writing and reading the same bytes as a plain file on
/// the same disk. Target: at least 70% of the plain copy's throughput.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 8)]
public class FileBenchmarks : InSandboxBenchmark
{
    private const int Size = 256 * 1024 * 1024;
    private string _source = null!;
    private string _plainTarget = null!;

    protected override void PrepareInputs()
    {
        Directory.CreateDirectory(BenchmarkState.Dir);
        _source = Path.Combine(BenchmarkState.Dir, "source.bin");
        _plainTarget = Path.Combine(BenchmarkState.Dir, "plain-copy.bin");
        var data = new byte[Size];
        new Random(1).NextBytes(data);
        File.WriteAllBytes(_source, data);
    }

    [Benchmark(Baseline = true, Description = "plain file: write 256 MiB, read back")]
    public long PlainCopy()
    {
        using (var input = File.OpenRead(_source))
        using (var output = File.Create(_plainTarget))
        {
            input.CopyTo(output, 1 << 20);
        }

        return Drain(File.OpenRead(_plainTarget));
    }

    [Benchmark(Description = "sandbox: WriteFile 256 MiB, OpenRead back")]
    public long SandboxCopy()
    {
        using (var input = File.OpenRead(_source))
        {
            Sandbox.WriteFile("/workspace/big.bin", input);
        }

        return Drain(Sandbox.OpenRead("/workspace/big.bin"));
    }

    private static long Drain(Stream stream)
    {
        using (stream)
        {
            var buffer = new byte[1 << 20];
            long total = 0;
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                total += n;
            }

            return total;
        }
    }
}
