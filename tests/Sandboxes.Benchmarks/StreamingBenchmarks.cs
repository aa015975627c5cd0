using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Sandboxes.Benchmarks;

/// <summary>
/// 1 GiB streamed out of a command through StreamCommandAsync against piping the same bytes through <c>cat</c> into this
/// process. Target: at least half of the pipe's throughput, with memory flat (see the figures mode for peak memory).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StreamingBenchmarks : InSandboxBenchmark
{
    private const long Bytes = 1L << 30;

    [Benchmark(Baseline = true, Description = "head -c 1G /dev/zero | cat, read by this process")]
    public long PipeThroughCat()
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"head -c {Bytes} /dev/zero | cat"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stream = process.StandardOutput.BaseStream;
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            total += n;
        }

        process.WaitForExit();
        return total;
    }

    [Benchmark(Description = "StreamCommandAsync(head -c 1G /dev/zero)")]
    public async Task<long> StreamFromSandbox()
    {
        long total = 0;
        await foreach (var e in Sandbox.StreamCommandAsync(new RunCommandRequest($"head -c {Bytes} /dev/zero")))
        {
            total += e.Text.Length;
        }

        return total;
    }
}
