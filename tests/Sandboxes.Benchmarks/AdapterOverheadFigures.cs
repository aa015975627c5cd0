using System.Diagnostics;
using System.Globalization;

namespace Sandboxes.Benchmarks;

/// <summary>
/// The <c>e2b</c> and <c>daytona</c> figures: <c>RunCommandAsync("echo hi")</c> through the SDK against the same HTTP call
/// made with a bare <see cref="HttpClient"/>, to the same emulator (in a child process), interleaved call by call so that
/// both see the same machine; medians, their ratio, and the bytes this process allocates per call.
/// </summary>
internal static class AdapterOverheadFigures
{
    private const int Calls = 300;

    /// <param name="vendor">The provider and its emulator (<c>e2b</c> or <c>daytona</c>).</param>
    /// <param name="rawCall">What the raw call sends, for the report.</param>
    /// <param name="makeRaw">Builds the raw call to the emulator for a sandbox it runs.</param>
    public static async Task RunAsync(string vendor, string rawCall, Func<EmulatorProcess, string, Task<Func<Task<string>>>> makeRaw)
    {
        using var emulator = EmulatorProcess.Start(vendor);
        await using var client = new Sandboxer(vendor, emulator.Config);
        var (sandbox, _) = await client.CreateSandboxAsync();
        var raw = await makeRaw(emulator, sandbox.Id);
        async Task<string> Sdk() => (await sandbox.RunCommandAsync("echo hi")).Stdout;

        for (var i = 0; i < 30; i++)
        {
            await raw();
            await Sdk();
        }

        var rawMs = new double[Calls];
        var sdkMs = new double[Calls];
        for (var i = 0; i < Calls; i++)
        {
            // Alternate which goes first, so neither always follows the other's garbage or warm caches.
            if (i % 2 == 0)
            {
                rawMs[i] = await TimeAsync(raw);
                sdkMs[i] = await TimeAsync(Sdk);
            }
            else
            {
                sdkMs[i] = await TimeAsync(Sdk);
                rawMs[i] = await TimeAsync(raw);
            }
        }

        var rawBytes = await AllocatedPerCallAsync(raw);
        var sdkBytes = await AllocatedPerCallAsync(Sdk);
        var rawMedian = Percentile(rawMs, 0.5);
        var sdkMedian = Percentile(sdkMs, 0.5);
        Console.WriteLine($"{vendor}: raw HttpClient {rawCall} median {F(rawMedian)} ms, p90 {F(Percentile(rawMs, 0.9))} ms; {rawBytes / 1024.0:F1} KiB allocated per call");
        Console.WriteLine($"{vendor}: SDK sandbox.RunCommandAsync(echo hi) median {F(sdkMedian)} ms, p90 {F(Percentile(sdkMs, 0.9))} ms; {sdkBytes / 1024.0:F1} KiB allocated per call");
        Console.WriteLine($"{vendor}: ratio SDK/raw = {sdkMedian / rawMedian:F3}x (target <= 1.10x); SDK adds {F(sdkMedian - rawMedian)} ms and {(sdkBytes - rawBytes) / 1024.0:F1} KiB per call");
        await sandbox.KillAsync();
    }

    private static async Task<double> TimeAsync(Func<Task<string>> call)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task<double> AllocatedPerCallAsync(Func<Task<string>> call)
    {
        const int count = 100;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            await call();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count;
    }

    private static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
    }

    private static string F(double ms) => ms.ToString("F3", CultureInfo.InvariantCulture);
}
