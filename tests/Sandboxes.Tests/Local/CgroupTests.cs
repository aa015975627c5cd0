using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// Sandboxes with cgroups (made for limits, or always with <c>cgroups = always</c>): pause uses the cgroup freezer, which
/// processes cannot observe (no stop signal), and kill takes every process of the cgroup, even one that left the tree.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class CgroupTests
{
    private Sandboxer _client = null!;

    [OneTimeSetUp]
    public void Create()
    {
        Requires.Bubblewrap();
        if (!Directory.Exists("/sys/fs/cgroup") || Environment.UserName != "root")
        {
            Requires.Missing("writable cgroups", "cgroups need root here");
        }

        _client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces").WithExtra("cgroups", "always"));
    }

    [OneTimeTearDown]
    public async Task Dispose()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    [Test]
    public async Task Pause_freezes_without_stopping_and_resume_thaws()
    {
        var (sandbox, info) = await _client.CreateSandboxAsync();
        LeakCheck.Record(info.Id);
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("i=0; while true; do i=$((i+1)); echo $i > /workspace/n.tmp; mv /workspace/n.tmp /workspace/n; sleep 0.05; done"));
        await Task.Delay(300);

        await sandbox.PauseAsync();
        var frozen = await sandbox.ReadTextAsync("/workspace/n");
        await Task.Delay(300);

        Assert.That(await sandbox.ReadTextAsync("/workspace/n"), Is.EqualTo(frozen));
        Assert.That((await sandbox.InfoAsync()).Status, Is.EqualTo(SandboxStatus.Paused));
        var states = HostStates(info.Id);
        Assert.That(states, Is.Not.Empty);
        Assert.That(states, Has.None.EqualTo('T'), "frozen by the cgroup freezer, not stopped by a signal");

        await sandbox.ResumeAsync();
        var after = frozen;
        for (var i = 0; i < 100 && after == frozen; i++)
        {
            await Task.Delay(50);
            after = await sandbox.ReadTextAsync("/workspace/n");
        }

        Assert.That(after, Is.Not.EqualTo(frozen));
        await sandbox.KillProcessAsync(handle.Pid, ProcessSignal.Kill);
        await sandbox.KillAsync();
    }

    [Test]
    public async Task Kill_takes_processes_that_escaped_the_process_tree()
    {
        var (sandbox, info) = await _client.CreateSandboxAsync();
        LeakCheck.Record(info.Id);
        await sandbox.RunCommandAsync("setsid sh -c 'sleep 300 & sleep 300' >/dev/null 2>&1 &");
        Assert.That(HostStates(info.Id), Is.Not.Empty);

        await sandbox.KillAsync();

        Assert.That(HostStates(info.Id), Is.Empty);
    }

    private static List<char> HostStates(string sandboxId)
    {
        var states = new List<char>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (environ.Contains("SANDBOX_ID=" + sandboxId, StringComparison.Ordinal))
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    states.Add(stat[stat.LastIndexOf(')') + 2]);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return states;
    }
}
