using System.Collections.Concurrent;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>The pool on the real local provider: bounds, warmth, return policies, broken sandboxes, expiry, disposal.</summary>
[TestFixture]
public sealed class PoolTests
{
    [Test]
    public async Task Never_more_than_max_alive_under_contention_and_nothing_left_after_dispose()
    {
        await using var client = TestClients.Local();
        var pool = new SandboxPool(new SandboxPoolOptions { MinSize = 1, MaxSize = 3, ReturnPolicy = SandboxReturnPolicy.Reuse }, client);
        var seen = new ConcurrentBag<int>();
        var ids = new ConcurrentBag<string>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                seen.Add((await PoolSandboxesAsync(client, pool)).Count);
                await Task.Delay(10);
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            await using var lease = await pool.AcquireAsync();
            ids.Add(lease.Sandbox.Id);
            LeakCheck.Record(lease.Sandbox.Id);
            var r = await lease.Sandbox.RunCommandAsync($"echo {i}");
            Assert.That(r.Stdout, Is.EqualTo($"{i}\n"));
            await Task.Delay(30);
        }));
        await sampling.CancelAsync();
        await sampler;

        Assert.That(pool.Statistics.PeakAlive, Is.LessThanOrEqualTo(3));
        Assert.That(seen.Max(), Is.LessThanOrEqualTo(3), "the provider never saw more than MaxSize pool sandboxes");
        Assert.That(ids.Distinct().Count(), Is.LessThanOrEqualTo(3), "sandboxes were reused");
        Assert.That(pool.Statistics.WarmAcquires, Is.GreaterThan(0));

        await pool.DisposeAsync();
        Assert.That(await PoolSandboxesAsync(client, pool), Is.Empty, "disposing the pool kills what it owns");
    }

    [Test]
    public async Task A_prewarmed_pool_serves_warm_leases()
    {
        await using var client = TestClients.Local();
        await using var pool = await SandboxPool.CreateAsync(new SandboxPoolOptions { MinSize = 2, MaxSize = 2 }, client);

        Assert.That(pool.Statistics.Idle, Is.EqualTo(2));
        await using var lease = await pool.AcquireAsync();
        LeakCheck.Record(lease.Sandbox.Id);

        Assert.That(lease.IsWarm, Is.True);
        Assert.That(lease.Sandbox.Selection!.Provider, Is.EqualTo("local"));
    }

    [Test]
    public async Task Discard_policy_kills_on_return_and_refills_to_the_minimum()
    {
        await using var client = TestClients.Local();
        await using var pool = await SandboxPool.CreateAsync(new SandboxPoolOptions { MinSize = 1, MaxSize = 2 }, client);

        string first;
        await using (var lease = await pool.AcquireAsync())
        {
            first = lease.Sandbox.Id;
            LeakCheck.Record(first);
            await lease.Sandbox.RunCommandAsync("echo secret > /workspace/s");
        }

        await WaitUntilAsync(() => pool.Statistics.Idle == 1);
        await using var next = await pool.AcquireAsync();
        LeakCheck.Record(next.Sandbox.Id);

        Assert.That(next.Sandbox.Id, Is.Not.EqualTo(first));
        Assert.That(await next.Sandbox.ExistsAsync("/workspace/s"), Is.False, "nothing of the last user is left");
        Assert.That((await PoolSandboxesAsync(client, pool)).Select(s => s.Id), Does.Not.Contain(first));
    }

    [Test]
    public async Task Reset_policy_runs_the_reset_commands_and_keeps_the_sandbox()
    {
        await using var client = TestClients.Local();
        await using var pool = new SandboxPool(new SandboxPoolOptions
        {
            MaxSize = 1, ReturnPolicy = SandboxReturnPolicy.Reset, ResetCommands = ["rm -rf /workspace/* /tmp/*"],
        }, client);

        string first;
        await using (var lease = await pool.AcquireAsync())
        {
            first = lease.Sandbox.Id;
            LeakCheck.Record(first);
            await lease.Sandbox.RunCommandAsync("echo x > /workspace/leftover");
        }

        await using var again = await pool.AcquireAsync();
        Assert.That(again.Sandbox.Id, Is.EqualTo(first));
        Assert.That(again.IsWarm, Is.True);
        Assert.That(await again.Sandbox.ExistsAsync("/workspace/leftover"), Is.False);
    }

    [Test]
    public async Task A_broken_sandbox_is_replaced()
    {
        await using var client = TestClients.Local();
        await using var pool = new SandboxPool(new SandboxPoolOptions { MaxSize = 1, ReturnPolicy = SandboxReturnPolicy.Reuse }, client);

        string dead;
        await using (var lease = await pool.AcquireAsync())
        {
            dead = lease.Sandbox.Id;
            LeakCheck.Record(dead);
            await client.GetSandboxer("local").KillSandboxAsync(dead); // dies behind the pool's back
        }

        await using (var lease = await pool.AcquireAsync())
        {
            LeakCheck.Record(lease.Sandbox.Id);
            Assert.That(lease.Sandbox.Id, Is.Not.EqualTo(dead));
            Assert.That(lease.IsWarm, Is.False);
            Assert.That((await lease.Sandbox.RunCommandAsync("echo alive")).Stdout, Is.EqualTo("alive\n"));
            lease.MarkBroken();
        }

        Assert.That(pool.Statistics.Discarded, Is.EqualTo(2), "the dead one and the one marked broken");
        Assert.That(pool.Statistics.Alive, Is.EqualTo(0));
    }

    [Test]
    public async Task Idle_sandboxes_expire_on_the_clock_and_acquire_waits_at_most_its_timeout()
    {
        var clock = new FakeTimeProvider();
        await using var client = TestClients.Local(o => o.TimeProvider = clock);
        await using var pool = new SandboxPool(new SandboxPoolOptions
        {
            MaxSize = 1, ReturnPolicy = SandboxReturnPolicy.Reuse, MaxIdleTime = TimeSpan.FromMinutes(1),
            MaintenanceInterval = TimeSpan.FromSeconds(30), AcquireTimeout = TimeSpan.FromSeconds(10),
        }, client);

        var lease = await pool.AcquireAsync();
        LeakCheck.Record(lease.Sandbox.Id);
        var waiting = pool.AcquireAsync();
        await Task.Delay(50);
        Assert.That(waiting.IsCompleted, Is.False, "the only sandbox is leased");
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.ThrowsAsync<QuotaExceededException>(async () => await waiting);

        await lease.DisposeAsync();
        Assert.That(pool.Statistics.Idle, Is.EqualTo(1));
        clock.Advance(TimeSpan.FromSeconds(90)); // maintenance at 30, 60, 90 s; idle since 10 s, so expired at 90
        await WaitUntilAsync(() => pool.Statistics.Alive == 0);
        Assert.That(pool.Statistics.Discarded, Is.EqualTo(1));
    }

    [Test]
    public async Task Disposing_the_pool_kills_leased_sandboxes_too()
    {
        await using var client = TestClients.Local();
        var pool = new SandboxPool(new SandboxPoolOptions { MaxSize = 2 }, client);
        var lease = await pool.AcquireAsync();
        LeakCheck.Record(lease.Sandbox.Id);

        await pool.DisposeAsync();

        Assert.That(await lease.Sandbox.IsRunningAsync(), Is.False);
        await lease.DisposeAsync(); // a late return is harmless
        Assert.ThrowsAsync<ObjectDisposedException>(() => pool.AcquireAsync());
    }

    [Test]
    public void Options_are_checked_early_and_frozen()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SandboxPoolOptions { MaxSize = 0 });
        Assert.Throws<ArgumentException>(() => new SandboxPoolOptions { MinSize = 3, MaxSize = 2 }.Validate());
        Assert.Throws<ArgumentException>(() => new SandboxPoolOptions { ReturnPolicy = SandboxReturnPolicy.Reset }.Validate());

        using var client = TestClients.Local();
        var options = new SandboxPoolOptions();
        using var pool = new SandboxPool(options, client);
        Assert.Throws<InvalidOperationException>(() => options.MaxSize = 9);
    }

    private static async Task<IReadOnlyList<SandboxInfo>> PoolSandboxesAsync(SandboxClient client, SandboxPool pool) =>
        await client.GetSandboxer("local").ListSandboxesAsync(new ListSandboxesFilter
        {
            Labels = new Dictionary<string, string> { [SandboxPool.PoolLabel] = pool.Id },
        });

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, "the condition did not become true within 30 s");
    }
}
