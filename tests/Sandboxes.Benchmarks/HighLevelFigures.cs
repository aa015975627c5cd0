using System.Diagnostics;
using System.Globalization;
using Sandboxes.FaultInjection;

namespace Sandboxes.Benchmarks;

/// <summary>
/// Figures for the high-level API, each against a baseline measured in the same run:
/// <list type="bullet">
/// <item><c>resilience</c>: 1000 idempotent calls (describe a sandbox) through the fault-injecting HTTP service with 30%
/// of requests failing (503, 502, 504, 429, reset connections), with and without the resilience pipeline, against the
/// same 1000 calls with no faults: how many succeeded and the latency added.</item>
/// <item><c>pool</c>: leasing a warm sandbox from a <see cref="SandboxPool"/> against creating one cold, on the local provider.</item>
/// </list>
/// </summary>
internal static class HighLevelFigures
{
    private const int Operations = 1000;

    public static async Task ResilienceAsync()
    {
        await using var server = await FaultInjectingServer.StartAsync();
        var provider = FaultyHttpProvider.Register("bench");
        server.RandomFaultOperations = new HashSet<string> { "get" };
        server.RandomFaults = [Fault.Unavailable, new Fault { Status = 502 }, new Fault { Status = 504 }, Fault.RateLimited(0), new Fault { Abort = true }];

        SandboxClient Client(bool resilient)
        {
            var options = new SandboxClientOptions { DefaultProvider = provider, UseConfigFile = false, EnvironmentVariables = _ => null };
            options.ConfigureProvider(provider, new ProviderConfig { BaseUrl = server.BaseUrl });
            options.Resilience.Enabled = resilient;
            options.Resilience.Retry.BaseDelay = TimeSpan.FromMilliseconds(20); // the rest: defaults (3 retries, jitter, breaker)
            return new SandboxClient(options);
        }

        async Task<(int Ok, double[] Ms, int Requests)> RunAsync(SandboxClient client, double faultRate, int seed)
        {
            await using var sandbox = await client.CreateAsync();
            server.ResetCounters();
            server.Seed(seed);
            server.FaultRate = faultRate;
            var ms = new double[Operations];
            var ok = 0;
            for (var i = 0; i < Operations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await sandbox.InfoAsync();
                    ok++;
                }
                catch (SandboxException)
                {
                }

                ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            server.FaultRate = 0;
            return (ok, ms, server.Requests("get"));
        }

        try
        {
            await using var resilient = Client(resilient: true);
            await using var bare = Client(resilient: false);
            await RunAsync(resilient, 0, 0); // warm-up: JIT, connections
            var baseline = await RunAsync(resilient, 0, 1);
            var unprotected = await RunAsync(bare, 0.3, 2);
            var protectedRun = await RunAsync(resilient, 0.3, 2);

            Console.WriteLine($"resilience: {Operations} idempotent calls, 30% of requests failing (503/502/504/429/reset), retry base delay 20 ms, 3 retries, jitter");
            Line("no faults (baseline)", baseline);
            Line("30% faults, resilience off", unprotected);
            Line("30% faults, resilience on", protectedRun);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"resilience: success {protectedRun.Ok}/{Operations} with the pipeline vs {unprotected.Ok}/{Operations} without; " +
                $"mean latency {Mean(protectedRun.Ms) / Mean(baseline.Ms):F1}x the no-fault baseline " +
                $"(+{Mean(protectedRun.Ms) - Mean(baseline.Ms):F2} ms per call), p50 {Percentile(protectedRun.Ms, 50) / Percentile(baseline.Ms, 50):F2}x; " +
                $"{protectedRun.Requests - Operations} retries sent"));
        }
        finally
        {
            SandboxProviders.Unregister(provider);
        }
    }

    public static async Task PoolAsync()
    {
        var options = new SandboxClientOptions { DefaultProvider = "local", UseConfigFile = false, EnvironmentVariables = _ => null };
        options.ConfigureProvider("local", BenchmarkState.Config);
        await using var client = new SandboxClient(options);

        // Cold: create a sandbox (kill not timed).
        var cold = new List<double>();
        for (var i = 0; i < 45; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var sandbox = await client.CreateAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await sandbox.KillAsync();
            if (i >= 5)
            {
                cold.Add(elapsed);
            }
        }

        await using var pool = await SandboxPool.CreateAsync(new SandboxPoolOptions { MinSize = 4, MaxSize = 4, ReturnPolicy = SandboxReturnPolicy.Reuse }, client);
        var warm = new List<double>();
        for (var i = 0; i < 420; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var lease = await pool.AcquireAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await lease.DisposeAsync();
            if (i >= 20)
            {
                warm.Add(elapsed);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pool: cold create median {Percentile([.. cold], 50):F2} ms (n={cold.Count}); warm acquire median {Percentile([.. warm], 50):F3} ms " +
            $"(n={warm.Count}, includes the is-it-running check); warm/cold = {Percentile([.. warm], 50) / Percentile([.. cold], 50):F3}x " +
            $"({Percentile([.. cold], 50) / Percentile([.. warm], 50):F0} times faster)"));
    }

    private static void Line(string what, (int Ok, double[] Ms, int Requests) run) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"resilience: {what}: {run.Ok}/{Operations} succeeded, mean {Mean(run.Ms):F2} ms, p50 {Percentile(run.Ms, 50):F2} ms, " +
            $"p99 {Percentile(run.Ms, 99):F2} ms, {run.Requests} requests"));

    private static double Mean(double[] values) => values.Average();

    private static double Percentile(double[] values, int p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
