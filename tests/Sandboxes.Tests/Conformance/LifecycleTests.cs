using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>Creating, describing, listing, attaching, killing and disposing sandboxes.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class LifecycleTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task Info_describes_the_sandbox()
    {
        var sandbox = await CreateAsync(new CreateSandboxRequest { Labels = new Dictionary<string, string> { ["project"] = "demo" } });

        var info = await Call(() => sandbox.Info(), () => sandbox.InfoAsync());

        Assert.That(info.Id, Is.EqualTo(sandbox.Id));
        Assert.That(info.Provider, Is.EqualTo(Target.Provider));
        Assert.That(info.Status, Is.EqualTo(SandboxStatus.Running));
        Assert.That(info.StartedAt, Is.Not.Null);
        if (Supports(Capability.Labels))
        {
            Assert.That(info.Labels, Does.ContainKey("project").WithValue("demo"));
        }

        Assert.That(await Call(() => sandbox.IsRunning(), () => sandbox.IsRunningAsync()), Is.True);
    }

    [Test]
    public async Task Listing_filters_by_labels()
    {
        if (!Supports(Capability.Labels))
        {
            return;
        }

        var tag = Guid.NewGuid().ToString("N")[..8];
        var a = await CreateAsync(new CreateSandboxRequest { Labels = new Dictionary<string, string> { ["tag"] = tag, ["role"] = "a" } });
        var b = await CreateAsync(new CreateSandboxRequest { Labels = new Dictionary<string, string> { ["tag"] = tag, ["role"] = "b" } });

        var both = await Call(() => Client.ListSandboxes(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["tag"] = tag } }),
            () => Client.ListSandboxesAsync(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["tag"] = tag } }));
        var onlyB = await Client.ListSandboxesAsync(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["tag"] = tag, ["role"] = "b" } });
        var none = await Client.ListSandboxesAsync(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["tag"] = tag, ["role"] = "c" } });

        Assert.That(both.Select(i => i.Id), Is.EquivalentTo(new[] { a.Id, b.Id }));
        Assert.That(onlyB.Select(i => i.Id), Is.EqualTo(new[] { b.Id }));
        Assert.That(none, Is.Empty);
    }

    [Test]
    public async Task Labels_read_back_as_utf8_text_or_are_refused_with_a_typed_error()
    {
        if (!Supports(Capability.Labels))
        {
            return;
        }

        // Found by the property tests: a lone surrogate came back unchanged from one provider and as U+FFFD from
        // another, and a key holding '=' came back split into another label.
        var labels = new Dictionary<string, string> { ["lone"] = "a\udeebb", ["x=y"] = "z", ["plain"] = "v" };
        SandboxInfo info;
        try
        {
            var sandbox = await CreateAsync(new CreateSandboxRequest { Labels = labels });
            info = await sandbox.InfoAsync();
        }
        catch (BadConfigException refused)
        {
            Assert.That(refused.Message, Does.Contain("x=y"), "a refusal names the label it refuses");
            return;
        }

        Assert.That(info.Labels, Does.ContainKey("lone").WithValue("a\ufffdb"));
        Assert.That(info.Labels, Does.ContainKey("x=y").WithValue("z"));
        Assert.That(info.Labels, Does.ContainKey("plain").WithValue("v"));
    }

    [Test]
    public async Task A_sandbox_can_be_attached_by_id_and_killed_from_another_client()
    {
        var sandbox = await CreateAsync();
        await using var other = new Sandboxer(Target.Provider, Target.Config);

        var attached = await Call(() => other.AttachSandbox(sandbox.Id), () => other.AttachSandboxAsync(sandbox.Id));
        var result = await Run("echo attached", attached);
        await Call(() => other.KillSandbox(sandbox.Id), () => other.KillSandboxAsync(sandbox.Id));

        Assert.That(result.Stdout, Is.EqualTo("attached\n"));
        Assert.That(await sandbox.IsRunningAsync(), Is.False);
        await Call(() => other.KillSandbox(sandbox.Id), () => other.KillSandboxAsync(sandbox.Id)); // twice: not an error
    }

    [Test]
    public void Attaching_an_unknown_id_is_not_found()
    {
        Assert.That(async () => await Call(() => Client.AttachSandbox("sbx-does-not-exist"), () => Client.AttachSandboxAsync("sbx-does-not-exist")),
            Throws.InstanceOf<NotFoundException>());
        Assert.That(async () => await Client.AttachSandboxAsync("../../etc"), Throws.InstanceOf<NotFoundException>());
    }

    [Test]
    public async Task Disposing_a_handle_kills_the_sandbox_unless_it_is_kept()
    {
        var disposed = await CreateAsync();
        var kept = await CreateAsync(new CreateSandboxRequest { Keep = true });

        await Call(() => disposed.Dispose(), async () => await disposed.DisposeAsync());
        await Call(() => kept.Dispose(), async () => await kept.DisposeAsync());

        Assert.That(await disposed.IsRunningAsync(), Is.False);
        Assert.That(await kept.IsRunningAsync(), Is.True);
        await Client.KillSandboxAsync(kept.Id);
    }

    [Test]
    public async Task Disposing_the_client_kills_what_it_created_and_did_not_keep()
    {
        var client = new Sandboxer(Target.Provider, Target.Config);
        var (owned, _) = await client.CreateSandboxAsync(Target.CreateRequest);
        var (kept, _) = await client.CreateSandboxAsync(Target.CreateRequest with { Keep = true });
        LeakCheck.Record(owned.Id);
        LeakCheck.Record(kept.Id);

        await Call(() => client.Dispose(), async () => await client.DisposeAsync());

        Assert.That(await Client.ListSandboxesAsync(), Has.None.Matches<SandboxInfo>(i => i.Id == owned.Id && i.Status == SandboxStatus.Running));
        var keptInfo = await Client.AttachSandboxAsync(kept.Id);
        Assert.That(await keptInfo.IsRunningAsync(), Is.True);
        await Client.KillSandboxAsync(kept.Id);
    }

    [Test]
    public async Task A_sandbox_past_its_lifetime_is_reaped()
    {
        if (!Supports(Capability.Lifetime))
        {
            return;
        }

        // Compared with the time before the create: on a loaded machine the create and info calls can outlast the lifetime.
        var requestedAt = DateTimeOffset.UtcNow;
        var sandbox = await CreateAsync(new CreateSandboxRequest { TimeoutSeconds = 1 });
        var info = await sandbox.InfoAsync();
        Assert.That(info.ExpiresAt, Is.Not.Null.And.GreaterThan(requestedAt));

        await Task.Delay(2500);
        var listed = await Client.ListSandboxesAsync(new ListSandboxesFilter { Labels = FixtureLabels });

        Assert.That(listed.Where(i => i.Status == SandboxStatus.Running).Select(i => i.Id), Does.Not.Contain(sandbox.Id));
        Assert.That(await sandbox.IsRunningAsync(), Is.False);
    }

    [Test]
    public async Task A_lifetime_set_again_counts_from_now_and_keeps_the_sandbox_past_its_first_end()
    {
        if (!Supports(Capability.Lifetime))
        {
            return;
        }

        // Five seconds, not fewer: on a loaded machine a create takes a few, and a sandbox whose lifetime ends while it
        // starts is gone before the test can extend it.
        var createdAt = DateTimeOffset.UtcNow;
        var sandbox = await CreateAsync(new CreateSandboxRequest { TimeoutSeconds = 5 });
        if (!RequireOrExpectGap(Capability.LifetimeExtend, () => sandbox.SetTimeoutAsync(60)))
        {
            return;
        }

        var setAt = DateTimeOffset.UtcNow;
        await Call(() => sandbox.SetTimeout(60), () => sandbox.SetTimeoutAsync(60));
        var info = await sandbox.InfoAsync();
        Assert.That(info.ExpiresAt, Is.Not.Null.And.GreaterThan(setAt.AddSeconds(50)));

        var pastFirstEnd = createdAt.AddSeconds(6) - DateTimeOffset.UtcNow;
        if (pastFirstEnd > TimeSpan.Zero)
        {
            await Task.Delay(pastFirstEnd);
        }

        Assert.That(await sandbox.IsRunningAsync(), Is.True, "still running past the first lifetime");
        Assert.That((await Run("echo alive", sandbox)).Stdout, Is.EqualTo("alive\n"));
        Assert.That(() => sandbox.SetTimeoutAsync(0), Throws.InstanceOf<BadConfigException>());
    }

    [Test]
    public async Task Commands_on_a_killed_sandbox_fail_with_a_typed_error()
    {
        var sandbox = await CreateAsync();
        await sandbox.KillAsync();

        Assert.That(async () => await Run("echo", sandbox), Throws.InstanceOf<SandboxException>()
            .And.Matches<SandboxException>(e => e is NotFoundException or SandboxStateException));
    }

    [Test]
    public void Invalid_requests_are_refused_before_anything_is_created()
    {
        Assert.That(async () => await Client.CreateSandboxAsync(new CreateSandboxRequest { TimeoutSeconds = -1 }), Throws.InstanceOf<BadConfigException>());
        Assert.That(async () => await Client.CreateSandboxAsync(new CreateSandboxRequest { MemoryMb = 0 }), Throws.InstanceOf<BadConfigException>());
    }

    [Test]
    public void Fields_the_provider_cannot_honour_fail_loudly()
    {
        foreach (var (capability, request) in new (Capability, CreateSandboxRequest)[]
                 {
                     (Capability.Gpu, new CreateSandboxRequest { Gpu = "T4" }),
                     (Capability.DiskLimit, new CreateSandboxRequest { DiskMb = 1024 }),
                     (Capability.Images, new CreateSandboxRequest { Image = "python:3.12" }),
                     (Capability.CpuLimit, new CreateSandboxRequest { Cpus = 1 }),
                 })
        {
            if (!Supports(capability))
            {
                Assert.That(async () => await Client.CreateSandboxAsync(request), Throws.InstanceOf<FeatureNotSupportedException>()
                    .With.Property(nameof(FeatureNotSupportedException.Capability)).EqualTo(capability)
                    .And.Message.Contains(capability.Id), capability.Id);
            }
        }
    }
}
