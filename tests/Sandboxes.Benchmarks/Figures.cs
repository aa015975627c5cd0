using System.Diagnostics;
using System.Globalization;

namespace Sandboxes.Benchmarks;

/// <summary>
/// Quick figures for the closing notes, each a ratio against a baseline measured in the same run: exec against a bare
/// spawn, create+kill, 100 sandboxes created, used once and killed (time and peak memory), 1 GiB streamed against a pipe
/// through cat (throughput and whether memory grows with output size), 256 MiB written and read against a plain copy.
/// BenchmarkDotNet (the other mode) gives the statistically careful version of the same comparisons.
/// </summary>
internal static class Figures
{
    public static async Task RunAsync(string[] only)
    {
        bool Wants(string name) => only.Length == 0 || only.Contains(name, StringComparer.OrdinalIgnoreCase);
        try
        {
            if (Wants("exec"))
            {
                Exec();
            }

            if (Wants("create"))
            {
                CreateKill();
            }

            if (Wants("hundred"))
            {
                Hundred();
            }

            if (Wants("stream"))
            {
                await StreamAsync();
            }

            if (Wants("files"))
            {
                Files();
            }

            if (Wants("resilience"))
            {
                await HighLevelFigures.ResilienceAsync();
            }

            if (Wants("pool"))
            {
                await HighLevelFigures.PoolAsync();
            }

            if (Wants("e2b"))
            {
                await AdapterOverheadFigures.RunAsync("e2b", "process.Start(echo hi)",
                    async (emulator, id) => (await E2BBenchmarks.RawFor(emulator, id)).RunAsync);
            }

            if (Wants("daytona"))
            {
                await AdapterOverheadFigures.RunAsync("daytona", "POST /process/execute(echo hi)",
                    async (emulator, id) => (await RawToolboxCall.ForAsync(emulator, id, "echo hi")).RunAsync);
            }
        }
        finally
        {
            BenchmarkState.Cleanup();
        }
    }

    private static void Exec()
    {
        var bench = new ExecBenchmarks();
        bench.Setup();
        try
        {
            var bare = Median(400, () => bench.BareSpawn());
            var exec = Median(400, () => bench.SandboxExec());
            Report("exec: bare Process.Start(/bin/echo) median", bare);
            Report("exec: sandbox.RunCommand(\"echo hi\") median", exec);
            Console.WriteLine($"exec: ratio sandbox/bare = {exec / bare:F2}x (target <= 1.5x)");
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static void CreateKill()
    {
        var bench = new LifecycleBenchmarks();
        bench.Setup();
        try
        {
            var median = Median(100, bench.CreateAndKill);
            Report("create+kill: median", median);
            Console.WriteLine($"create+kill: {(median < 25 ? "meets" : "misses")} the 25 ms target");
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static void Hundred()
    {
        using var client = new Sandboxer("local", BenchmarkState.Config);
        var baselineWatch = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            using var p = Process.Start(new ProcessStartInfo("/bin/echo", "hi") { RedirectStandardOutput = true })!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
        }

        var baseline = baselineWatch.Elapsed;
        var before = Process.GetCurrentProcess().PeakWorkingSet64;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            var (sandbox, _) = client.CreateSandbox();
            sandbox.RunCommand("echo hi");
            sandbox.Kill();
        }

        var elapsed = watch.Elapsed;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine($"100 sandboxes created, used once, killed: {elapsed.TotalSeconds:F2} s total ({elapsed.TotalMilliseconds / 100:F1} ms each); " +
                          $"100 bare spawns: {baseline.TotalSeconds:F2} s; ratio {elapsed / baseline:F1}x; peak working set {peak / 1048576.0:F0} MiB (was {before / 1048576.0:F0} MiB before)");
    }

    private static async Task StreamAsync()
    {
        var bench = new StreamingBenchmarks();
        bench.Setup();
        try
        {
            var pipe = Stopwatch.StartNew();
            var piped = bench.PipeThroughCat();
            var pipeSeconds = pipe.Elapsed.TotalSeconds;

            // Throughput in a pass of its own; then the live heap (after a full collection, every 1024 chunks) for 256 MiB
            // and for 1 GiB: equal peaks mean memory does not grow with output size.
            var timed = await MeasureStreamAsync(bench, 1L << 30, sampleMemory: false);
            var small = await MeasureStreamAsync(bench, 256L << 20, sampleMemory: true);
            var large = await MeasureStreamAsync(bench, 1L << 30, sampleMemory: true);
            var mbps = (1L << 30) / timed.Seconds / 1048576;
            var pipeMbps = piped / pipeSeconds / 1048576;
            Console.WriteLine($"stream 1 GiB: sandbox {mbps:F0} MiB/s, pipe through cat {pipeMbps:F0} MiB/s, ratio {mbps / pipeMbps:F2} (target >= 0.5)");
            Console.WriteLine($"stream memory: peak live heap growth {small.HeapGrowthMiB:F1} MiB for 256 MiB, {large.HeapGrowthMiB:F1} MiB for 1 GiB (flat when equal)");
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static async Task<(double Seconds, double HeapGrowthMiB)> MeasureStreamAsync(StreamingBenchmarks bench, long bytes, bool sampleMemory)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        long total = 0;
        var sandbox = bench.Sandbox;
        var watch = Stopwatch.StartNew();
        var chunks = 0;
        await foreach (var e in sandbox.StreamCommandAsync(new RunCommandRequest($"head -c {bytes} /dev/zero")))
        {
            total += e.Text.Length;
            if (sampleMemory && ++chunks % 1024 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        if (total != bytes)
        {
            throw new InvalidOperationException($"streamed {total} of {bytes} bytes");
        }

        return (watch.Elapsed.TotalSeconds, peak / 1048576.0);
    }

    private static void Files()
    {
        var bench = new FileBenchmarks();
        bench.Setup();
        try
        {
            bench.PlainCopy();
            bench.SandboxCopy();
            var plain = Median(7, () => bench.PlainCopy());
            var sandbox = Median(7, () => bench.SandboxCopy());
            Report("files 256 MiB write+read: plain median", plain);
            Report("files 256 MiB write+read: sandbox median", sandbox);
            Console.WriteLine($"files: sandbox throughput is {plain / sandbox:P0} of a plain copy (target >= 70%)");
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static double Median(int count, Action action)
    {
        for (var i = 0; i < Math.Min(20, count / 5 + 1); i++)
        {
            action();
        }

        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            samples[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[count / 2];
    }

    private static void Report(string what, double milliseconds) =>
        Console.WriteLine($"{what}: {milliseconds.ToString("F2", CultureInfo.InvariantCulture)} ms");
}
