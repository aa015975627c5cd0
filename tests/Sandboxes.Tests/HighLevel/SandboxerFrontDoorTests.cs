using NUnit.Framework;
using Sandboxes.FaultInjection;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// The low-level <see cref="Sandboxer"/> is a front door like <see cref="SandboxClient"/>: by default its calls are
/// retried as their idempotency allows, measured, and guarded by a circuit breaker, and a lost create answer is resolved
/// by the creation label; <see cref="SandboxerOptions"/> turns that off.
/// </summary>
[TestFixture]
public sealed class SandboxerFrontDoorTests : FaultyProviderFixture
{
    [Test]
    public async Task By_default_an_idempotent_call_is_retried_and_a_command_that_may_have_run_is_not()
    {
        await using var client = new Sandboxer(Provider, Config(), Options());
        var (sandbox, _) = await client.CreateSandboxAsync();
        Server.Plan("get", Fault.Unavailable);

        var call = sandbox.InfoAsync();
        await TestClients.DriveAsync(call, Clock);

        Assert.That((await call).Id, Is.EqualTo(sandbox.Id));
        Assert.That(Server.Requests("get"), Is.EqualTo(2), "the 503 was retried");

        Server.Plan("exec", Fault.LostResponse);
        Assert.ThrowsAsync<ProviderException>(() => sandbox.RunCommandAsync("echo once"));
        Assert.That(Server.Executions("echo once"), Is.EqualTo(1), "a command whose answer was lost is not sent again");
    }

    [Test]
    public async Task By_default_a_create_whose_answer_was_lost_is_adopted_by_its_creation_label()
    {
        await using var client = new Sandboxer(Provider, Config(), Options());
        Server.Plan("create", Fault.LostResponse);

        var call = client.CreateSandboxAsync(new CreateSandboxRequest { Labels = new Dictionary<string, string> { ["team"] = "a" } });
        await TestClients.DriveAsync(call, Clock);
        var (sandbox, info) = await call;

        Assert.That(Server.Requests("create"), Is.EqualTo(1), "found by its label, not made twice");
        Assert.That(info.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["team"] = "a" }), "the creation label stays the library's");
        Assert.That((await client.ListSandboxesAsync()).Select(s => s.Id), Is.EqualTo(new[] { sandbox.Id }));
    }

    [Test]
    public async Task By_default_the_circuit_breaker_opens_and_fails_fast()
    {
        var options = Options();
        options.Resilience.Retry.MaxRetryAttempts = 0;
        options.Resilience.CircuitBreaker.Enabled = true;
        options.Resilience.CircuitBreaker.MinimumThroughput = 3;
        await using var client = new Sandboxer(Provider, Config(), options);
        var (sandbox, _) = await client.CreateSandboxAsync();
        Server.Plan("get", Fault.Unavailable, Fault.Unavailable);
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());

        Assert.That(client.CircuitState, Is.EqualTo(ProviderCircuitState.Open));
        Assert.ThrowsAsync<CircuitOpenException>(() => sandbox.InfoAsync());
        Assert.That(Server.Requests("get"), Is.EqualTo(2), "an open circuit sends nothing");
    }

    [Test]
    public async Task Turned_off_each_call_is_sent_once()
    {
        var options = Options();
        options.Resilience.Enabled = false;
        await using var client = new Sandboxer(Provider, Config(), options);
        var (sandbox, _) = await client.CreateSandboxAsync();
        Server.Plan("get", Fault.Unavailable);

        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());
        Assert.That(Server.Requests("get"), Is.EqualTo(1));
        Assert.That(client.CircuitState, Is.EqualTo(ProviderCircuitState.Closed));
        Assert.That(options.IsFrozen, Is.True, "options in use can no longer change");
        Assert.That(() => options.Resilience.Enabled = true, Throws.InvalidOperationException);
    }

    [Test]
    public async Task The_adapter_behind_is_the_providers_own()
    {
        await using var client = new Sandboxer(Provider, Config(), Options());

        Assert.That(client.Adapter, Is.InstanceOf<FaultyHttpProvider>(), "a caller may reach the adapter's own members");
    }

    private ProviderConfig Config() => new() { BaseUrl = Server.BaseUrl };

    // The fake clock drives retry delays; client-side timeouts and the breaker off unless a test turns them on.
    private SandboxerOptions Options()
    {
        var options = new SandboxerOptions { TimeProvider = Clock };
        options.Resilience.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        options.Resilience.Timeouts.Attempt = Timeout.InfiniteTimeSpan;
        options.Resilience.Timeouts.Create = Timeout.InfiniteTimeSpan;
        options.Resilience.Timeouts.Operation = Timeout.InfiniteTimeSpan;
        options.Resilience.CircuitBreaker.Enabled = false;
        return options;
    }
}
