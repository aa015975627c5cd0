using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>Pause and resume, snapshots, and ports reachable from outside.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class PauseSnapshotPortTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task Paused_sandbox_freezes_its_processes_refuses_commands_and_resumes_with_nothing_lost()
    {
        var sandbox = await CreateAsync();
        if (!RequireOrExpectGap(Capability.PauseResume, () => sandbox.PauseAsync()))
        {
            return;
        }

        await sandbox.WriteTextAsync("/workspace/kept.txt", "kept");
        // Each turn also logs the sandbox's clock in nanoseconds, for providers whose paused sandboxes cannot be read.
        await sandbox.StartCommandAsync(new RunCommandRequest("i=0; while true; do i=$((i+1)); echo $i > /workspace/counter.tmp; mv /workspace/counter.tmp /workspace/counter; date +%s%N >> /workspace/ticks; sleep 0.05; done"));
        await Task.Delay(300);

        await Call(() => sandbox.Pause(), () => sandbox.PauseAsync());
        string? stillAt = null;
        if (Target.FilesReadableWhilePaused)
        {
            var frozenAt = await sandbox.ReadTextAsync("/workspace/counter");
            await Task.Delay(400);
            stillAt = await sandbox.ReadTextAsync("/workspace/counter");
            Assert.That(stillAt, Is.EqualTo(frozenAt), "no process runs while paused");
        }
        else
        {
            Assert.That(async () => await sandbox.ReadTextAsync("/workspace/counter"), Throws.InstanceOf<SandboxStateException>()
                .With.Property(nameof(SandboxStateException.Status)).EqualTo(SandboxStatus.Paused).And.Message.Contains("resume"));
            await Task.Delay(400);
        }

        Assert.That((await sandbox.InfoAsync()).Status, Is.EqualTo(SandboxStatus.Paused));
        Assert.That(async () => await Run("echo", sandbox), Throws.InstanceOf<SandboxStateException>()
            .With.Property(nameof(SandboxStateException.Status)).EqualTo(SandboxStatus.Paused).And.Message.Contains("resume"));

        await Call(() => sandbox.Resume(), () => sandbox.ResumeAsync());
        stillAt ??= await sandbox.ReadTextAsync("/workspace/counter");

        Assert.That((await sandbox.InfoAsync()).Status, Is.EqualTo(SandboxStatus.Running));
        var after = stillAt;
        for (var i = 0; i < 100 && after == stillAt; i++)
        {
            await Task.Delay(50); // a busy machine may take a while to schedule the loop again
            after = await sandbox.ReadTextAsync("/workspace/counter");
        }

        Assert.That(after, Is.Not.EqualTo(stillAt), "the loop continues after resume");
        Assert.That((await Run("cat /workspace/kept.txt", sandbox)).Stdout, Is.EqualTo("kept"));
        if (!Target.FilesReadableWhilePaused)
        {
            // What could not be read while paused is seen afterwards: the loop's clock skipped the whole pause.
            Assert.That(LongestPauseMs(await sandbox.ReadTextAsync("/workspace/ticks")), Is.GreaterThanOrEqualTo(400), "no process runs while paused");
        }
    }

    /// <summary>The longest time, in milliseconds, between two consecutive complete lines of a log of nanosecond clock readings.</summary>
    private static double LongestPauseMs(string ticks)
    {
        var lines = ticks.Split('\n');
        var times = lines[..^1].Where(l => l.Length > 0).Select(l => long.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return times.Zip(times.Skip(1), (a, b) => (b - a) / 1e6).DefaultIfEmpty(0).Max();
    }

    [Test]
    public async Task A_snapshot_starts_new_sandboxes_with_the_same_files_and_can_be_deleted()
    {
        var source = await CreateAsync(new CreateSandboxRequest { Labels = new Dictionary<string, string> { ["origin"] = "snap" } });
        if (!RequireOrExpectGap(Capability.Snapshot, () => source.CreateSnapshotAsync("x")))
        {
            return;
        }

        await Run("mkdir -p /workspace/proj && echo state > /workspace/proj/file && ln -s file /workspace/proj/link", source);
        // Some providers (Daytona) keep snapshot names unique per account, and fixtures run in parallel: one name per fixture.
        var name = "my-snap-" + FixtureLabels["fixture"];
        var snapshot = await Call(() => source.CreateSnapshot(name), () => source.CreateSnapshotAsync(name));

        var copy = await CreateAsync(new CreateSandboxRequest { Snapshot = snapshot.Id });
        var listed = await Call(() => Client.ListSnapshots(), () => Client.ListSnapshotsAsync());

        Assert.That(snapshot.Name, Is.EqualTo(name));
        Assert.That(snapshot.SandboxId, Is.EqualTo(source.Id));
        Assert.That((await Run("cat /workspace/proj/file; readlink /workspace/proj/link", copy)).Stdout, Is.EqualTo("state\nfile\n"));
        Assert.That((await copy.InfoAsync()).Labels, Does.ContainKey("origin").WithValue("snap"));
        Assert.That(listed.Select(s => s.Id), Does.Contain(snapshot.Id));

        await Call(() => Client.DeleteSnapshot(snapshot.Id), () => Client.DeleteSnapshotAsync(snapshot.Id));

        Assert.That((await Client.ListSnapshotsAsync()).Select(s => s.Id), Does.Not.Contain(snapshot.Id));
        Assert.That(async () => await Client.CreateSandboxAsync(new CreateSandboxRequest { Snapshot = snapshot.Id }), Throws.InstanceOf<NotFoundException>());
    }

    [Test]
    public async Task A_server_inside_is_reachable_at_the_port_url()
    {
        if (!RequireOrExpectGap(Capability.Ports, () => Sandbox.PortUrlAsync(8080)))
        {
            return;
        }

        await Sandbox.WriteTextAsync("/workspace/www/index.html", "hello from inside");
        await Sandbox.StartCommandAsync(new RunCommandRequest("cd /workspace/www && exec python3 -m http.server 8000 --bind 127.0.0.1"));
        var url = await Call(() => Sandbox.PortUrl(8000), () => Sandbox.PortUrlAsync(8000));
        Assert.That(url.IsAbsoluteUri, Is.True);
        if (!Target.PortsReachable)
        {
            return;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? body = null;
        for (var attempt = 0; attempt < 50 && body is null; attempt++)
        {
            try
            {
                body = await http.GetStringAsync(new Uri(url, "index.html"));
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200); // the server is still starting
            }
        }

        Assert.That(body, Is.EqualTo("hello from inside"));
    }

    [Test]
    public void A_port_out_of_range_is_bad_input()
    {
        Assert.That(async () => await Sandbox.PortUrlAsync(70000), Throws.InstanceOf<BadConfigException>());
    }
}
