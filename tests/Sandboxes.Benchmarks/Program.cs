using BenchmarkDotNet.Running;
using Sandboxes.Benchmarks;

if (args is ["serve", var vendor, var stateDir])
{
    await EmulatorProcess.ServeAsync(vendor, stateDir);
    return;
}

if (args is ["figures", ..])
{
    await Figures.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ExecBenchmarks).Assembly).Run(args);
