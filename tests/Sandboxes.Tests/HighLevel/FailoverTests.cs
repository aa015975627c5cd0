using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>Failover along the chain: only for provider-side failures, landing on the next provider, every skip recorded.</summary>
[TestFixture]
public sealed class FailoverTests : FaultyProviderFixture
{
    [Test]
    public async Task An_unavailable_provider_fails_over_to_the_next_with_the_reason_recorded()
    {
        await using var client = new SandboxClient(Options(retries: 0));
        Server.Plan("create", Fault.Unavailable);

        await using var sandbox = await client.CreateAsync(new SandboxOptions { Fallback = ["local"] });
        LeakCheck.Record(sandbox.Id);

        Assert.That(sandbox.Provider, Is.EqualTo("local"));
        Assert.That(sandbox.Selection!.Provider, Is.EqualTo("local"));
        Assert.That(sandbox.Selection.Source, Is.EqualTo(ProviderSource.Fallback));
        Assert.That(sandbox.Selection.Skipped, Has.Count.EqualTo(1));
        Assert.That(sandbox.Selection.Skipped[0].Provider, Is.EqualTo(Provider));
        Assert.That(sandbox.Selection.Skipped[0].Reason, Does.Contain("503"));
        Assert.That(sandbox.Selection.Skipped[0].Error, Is.InstanceOf<ProviderException>());
        Assert.That((await sandbox.RunCommandAsync("echo on local")).Stdout, Is.EqualTo("on local\n"));
    }

    [Test]
    public async Task Retries_come_first_and_failover_only_after_they_are_spent()
    {
        await using var client = new SandboxClient(Options(retries: 2));
        Server.Plan("create", new Fault { Status = 503 }, new Fault { Status = 503 }, new Fault { Status = 503 });

        var create = client.CreateAsync(new SandboxOptions { Fallback = ["local"] });
        await TestClients.DriveAsync(create, Clock);
        await using var sandbox = await create;
        LeakCheck.Record(sandbox.Id);

        Assert.That(Server.Requests("create"), Is.EqualTo(3));
        Assert.That(sandbox.Provider, Is.EqualTo("local"));
    }

    [Test]
    public async Task An_open_circuit_is_skipped_without_sending_anything()
    {
        var options = Options(retries: 0);
        options.Resilience.CircuitBreaker.Enabled = true;
        options.Resilience.CircuitBreaker.MinimumThroughput = 2;
        await using var client = new SandboxClient(options);
        Server.Plan("create", Fault.Unavailable, Fault.Unavailable);
        Assert.ThrowsAsync<ProviderException>(() => client.CreateAsync());
        Assert.ThrowsAsync<ProviderException>(() => client.CreateAsync());
        Assert.That(client.GetCircuitState(Provider), Is.EqualTo(ProviderCircuitState.Open));

        await using var sandbox = await client.CreateAsync(new SandboxOptions { Fallback = ["local"] });
        LeakCheck.Record(sandbox.Id);

        Assert.That(Server.Requests("create"), Is.EqualTo(2), "the open circuit failed fast");
        Assert.That(sandbox.Selection!.Skipped.Single().Error, Is.InstanceOf<CircuitOpenException>());
        Assert.That(sandbox.Provider, Is.EqualTo("local"));
    }

    [Test]
    public async Task Bad_input_never_fails_over()
    {
        await using var client = new SandboxClient(Options(retries: 0));
        var marker = new Dictionary<string, string> { ["test"] = Guid.NewGuid().ToString("N") };

        Assert.ThrowsAsync<BadConfigException>(() => client.CreateAsync(new SandboxOptions { Fallback = ["local"], Labels = marker, Cpus = -1 }));
        Assert.ThrowsAsync<FeatureNotSupportedException>(() => client.CreateAsync(new SandboxOptions { Fallback = ["local"], Labels = marker, MemoryMb = 256 }));
        Assert.ThrowsAsync<BadConfigException>(() => client.CreateAsync(new SandboxOptions { Fallback = ["no-such-provider"], Labels = marker }));
        Server.Plan("create", new Fault { Status = 401 });
        Assert.ThrowsAsync<ProviderException>(() => client.CreateAsync(new SandboxOptions { Fallback = ["local"], Labels = marker }));

        Assert.That(Server.Requests("create"), Is.EqualTo(1), "only the unauthorised call reached the provider");
        var onLocal = await client.GetSandboxer("local").ListSandboxesAsync(new ListSandboxesFilter { Labels = marker });
        Assert.That(onLocal, Is.Empty, "nothing failed over to local");
    }

    [Test]
    public async Task When_every_provider_fails_the_error_lists_each_with_its_reason()
    {
        var second = FaultyHttpProvider.Register("faulty-b");
        await using var secondServer = await FaultInjectingServer.StartAsync();
        try
        {
            var options = Options(retries: 0);
            options.ConfigureProvider(second, new ProviderConfig { BaseUrl = secondServer.BaseUrl });
            await using var client = new SandboxClient(options);
            Server.Plan("create", Fault.Unavailable);
            secondServer.Plan("create", Fault.RateLimited(3600));

            var error = Assert.ThrowsAsync<ProvidersUnavailableException>(() => client.CreateAsync(new SandboxOptions { Fallback = [second] }));

            Assert.That(error!.Skipped.Select(s => s.Provider), Is.EqualTo(new[] { Provider, second }));
            Assert.That(error.Skipped[1].Error, Is.InstanceOf<RateLimitException>());
            Assert.That(error.Message, Does.Contain(Provider).And.Contain(second));
        }
        finally
        {
            SandboxProviders.Unregister(second);
        }
    }

    private SandboxClientOptions Options(int retries)
    {
        var options = FaultyOptions();
        options.Resilience.Retry.MaxRetryAttempts = retries;
        return options;
    }
}
