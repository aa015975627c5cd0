using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>Memory, process-count and CPU limits, enforced where the provider declares them.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class LimitTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task A_command_over_the_memory_limit_is_killed_and_reported_as_such()
    {
        if (!Supports(Capability.MemoryLimit))
        {
            return;
        }

        var sandbox = await CreateAsync(new CreateSandboxRequest { MemoryMb = 64 });
        var result = await Run("python3 -c \"b = bytearray(300 * 1024 * 1024); print(len(b))\"", sandbox);

        Assert.That(result.ExitCode, Is.EqualTo(137));
        Assert.That(result.OutOfMemory, Is.True);
        Assert.That(result.Error, Does.Contain("memory limit").And.Contain("64"));
        Assert.That((await sandbox.InfoAsync()).MemoryMb, Is.EqualTo(64));
        Assert.That((await Run("echo still alive", sandbox)).Stdout, Is.EqualTo("still alive\n"), "the sandbox itself survives");
    }

    [Test]
    public async Task The_process_limit_stops_a_fork_storm()
    {
        if (!Supports(Capability.ProcessLimit))
        {
            return;
        }

        var sandbox = await CreateAsync(new CreateSandboxRequest { MaxProcesses = 16 });
        var result = await Run("for i in $(seq 40); do sleep 3 & done 2>&1; wait; echo finished", sandbox);

        Assert.That(result.Stdout + result.Stderr, Does.Contain("fork").Or.Contain("Resource temporarily unavailable"));
    }

    [Test]
    public async Task A_cpu_limit_slows_a_busy_loop()
    {
        if (!Supports(Capability.CpuLimit))
        {
            return;
        }

        var sandbox = await CreateAsync(new CreateSandboxRequest { Cpus = 0.2 });
        // CPU time used during one second of wall time: about 0.2 s under the limit, about 1 s without it.
        var result = await Run("python3 -c \"import time\nstart=time.time()\nwhile time.time()-start<1.5: pass\nprint(time.process_time())\"", sandbox);

        Assert.That(double.Parse(result.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture), Is.LessThan(0.8));
        Assert.That((await sandbox.InfoAsync()).Cpus, Is.EqualTo(0.2));
    }
}
