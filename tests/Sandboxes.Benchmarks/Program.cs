using BenchmarkDotNet.Running;
using Sandboxes.Benchmarks;

if (args is ["serve-e2b", var e2bStateDir])
{
    await E2BEmulatorProcess.ServeAsync(e2bStateDir);
    return;
}

if (args is ["serve-daytona", var daytonaStateDir])
{
    await DaytonaEmulatorProcess.ServeAsync(daytonaStateDir);
    return;
}

if (args is ["figures", ..])
{
    await Figures.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ExecBenchmarks).Assembly).Run(args);
