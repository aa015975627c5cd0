using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Sandboxes.Benchmarks;

/// <summary>
/// Running <c>echo hi</c> in an existing local sandbox against a bare <c>Process.Start("/bin/echo")</c> with its output
/// read, in the same run. Target: isolated exec at most 1.5x a bare spawn.
/// </summary>
[MemoryDiagnoser]
public class ExecBenchmarks : InSandboxBenchmark
{

    [Benchmark(Baseline = true, Description = "bare Process.Start(/bin/echo)")]
    public string BareSpawn()
    {
        var start = new ProcessStartInfo("/bin/echo", "hi") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [Benchmark(Description = "sandbox.RunCommand(echo hi)")]
    public string SandboxExec() => Sandbox.RunCommand("echo hi").Stdout;
}
