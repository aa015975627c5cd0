using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// A local sandbox given a disk size fills its own image and gets ENOSPC; the host's disk keeps the rest, and the
/// image goes with the sandbox.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class DiskLimitTests
{
    [Test]
    public async Task A_sandbox_that_fills_its_disk_gets_enospc_and_the_host_keeps_the_rest()
    {
        Requires.Bubblewrap();
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.That(async () => await client.CreateSandboxAsync(new CreateSandboxRequest { DiskMb = 64 }),
                Throws.InstanceOf<FeatureNotSupportedException>().With.Message.Contains("root"));
            return;
        }

        var (sandbox, info) = await client.CreateSandboxAsync(new CreateSandboxRequest { DiskMb = 64 });
        LeakCheck.Record(info.Id);

        var fill = await sandbox.RunCommandAsync("dd if=/dev/zero of=/workspace/big bs=1M count=200 2>&1; df -m /workspace | tail -1");
        // What the sandbox holds of the host's disk is what its state directory (the image included) has allocated:
        // measured there, not as the disk's free space, which other writers on the machine change at the same time.
        var hostUsed = await AllocatedBytesAsync(Path.Combine(TestEnvironment.StateDir, "local", "sandboxes", info.Id));
        var stillWorks = await sandbox.RunCommandAsync("rm /workspace/big && echo small > /workspace/small && cat /workspace/small");

        Assert.That(fill.Stdout, Does.Contain("No space left on device"));
        Assert.That(hostUsed, Is.LessThan(80L * 1024 * 1024), "the host's disk gave at most the sandbox's 64 MiB");
        Assert.That(stillWorks.Stdout, Is.EqualTo("small\n"));
        Assert.That((await sandbox.WriteFileAsync("/workspace/by-api.txt", new byte[10 * 1024 * 1024]).ContinueWith(t => t.Exception)), Is.Null,
            "the file API writes into the same disk");

        await sandbox.KillAsync();
        Assert.That(File.ReadAllText("/proc/self/mountinfo"), Does.Not.Contain(info.Id), "the image is unmounted");
        Assert.That(Directory.Exists(Path.Combine(TestEnvironment.StateDir, "local", "sandboxes", info.Id)), Is.False);
    }

    private static async Task<long> AllocatedBytesAsync(string directory)
    {
        using var du = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("du", ["-s", "-B1", "-x", directory])
        {
            RedirectStandardOutput = true,
        })!;
        var output = await du.StandardOutput.ReadToEndAsync();
        await du.WaitForExitAsync();
        return long.Parse(output.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
