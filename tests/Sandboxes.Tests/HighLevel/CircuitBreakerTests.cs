using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>The per-provider circuit breaker: opens on provider-side failures, fails fast, half-opens after the break, closes or reopens.</summary>
[TestFixture]
public sealed class CircuitBreakerTests : FaultyProviderFixture
{
    private SandboxClient _client = null!;
    private MeasurementRecorder _metrics = null!;

    [SetUp]
    public void CreateClient()
    {
        _metrics = new MeasurementRecorder(Provider);
        var options = FaultyOptions();
        options.Resilience.Retry.MaxRetryAttempts = 0;
        options.Resilience.CircuitBreaker.Enabled = true;
        options.Resilience.CircuitBreaker.MinimumThroughput = 3; // the create, then two failures
        options.Resilience.CircuitBreaker.FailureRatio = 0.5;
        options.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(10);
        _client = new SandboxClient(options);
    }

    [TearDown]
    public async Task DisposeClientAsync()
    {
        _metrics.Dispose();
        await _client.DisposeAsync();
    }

    [Test]
    public async Task The_circuit_opens_fails_fast_half_opens_and_closes()
    {
        var sandbox = await _client.CreateAsync(new SandboxOptions { Keep = true });
        Server.Plan("get", Fault.Unavailable, Fault.Unavailable);
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());
        Assert.That(_client.GetCircuitState(Provider), Is.EqualTo(ProviderCircuitState.Open));

        var fast = Assert.ThrowsAsync<CircuitOpenException>(() => sandbox.InfoAsync());
        Assert.That(fast!.IsTransient, Is.True);
        Assert.That(fast.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(Server.Requests("get"), Is.EqualTo(2), "an open circuit sends nothing");
        _metrics.Observe();
        Assert.That(_metrics.Of(SandboxDiagnostics.CircuitBreakerState).Last().Value, Is.EqualTo(1), "gauge: open");

        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.That((await sandbox.InfoAsync()).Id, Is.EqualTo(sandbox.Id), "the probe is let through and succeeds");
        Assert.That(_client.GetCircuitState(Provider), Is.EqualTo(ProviderCircuitState.Closed));
        Assert.That(Server.Requests("get"), Is.EqualTo(3));
        Assert.That(Transitions(), Is.EqualTo(new[] { "open", "half_open", "closed" }));
        await sandbox.KillAsync();
    }

    [Test]
    public async Task A_failed_probe_reopens_the_circuit()
    {
        var sandbox = await _client.CreateAsync(new SandboxOptions { Keep = true });
        Server.Plan("get", Fault.Unavailable, Fault.Unavailable, Fault.Unavailable);
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());

        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());

        Assert.That(_client.GetCircuitState(Provider), Is.EqualTo(ProviderCircuitState.Open));
        Assert.ThrowsAsync<CircuitOpenException>(() => sandbox.InfoAsync());
        Assert.That(Transitions(), Is.EqualTo(new[] { "open", "half_open", "open" }));
        Clock.Advance(TimeSpan.FromSeconds(10));
        await sandbox.KillAsync();
    }

    [Test]
    public async Task Rate_limiting_and_bad_input_do_not_open_the_circuit()
    {
        var sandbox = await _client.CreateAsync(new SandboxOptions { Keep = true });
        Server.Plan("get", Fault.RateLimited(3600), Fault.RateLimited(3600), new Fault { Status = 400 }, new Fault { Status = 404 });
        Assert.ThrowsAsync<RateLimitException>(() => sandbox.InfoAsync());
        Assert.ThrowsAsync<RateLimitException>(() => sandbox.InfoAsync());
        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());
        Assert.ThrowsAsync<NotFoundException>(() => sandbox.InfoAsync());

        Assert.That(_client.GetCircuitState(Provider), Is.EqualTo(ProviderCircuitState.Closed));
        await sandbox.KillAsync();
    }

    [Test]
    public async Task An_attempt_timeout_ends_a_call_the_provider_never_answers()
    {
        await using var client = new SandboxClient(WithAttemptTimeout());
        var sandbox = await client.CreateAsync(new SandboxOptions { Keep = true });
        Server.Plan("get", new Fault { Hang = true });

        var call = sandbox.InfoAsync();
        Assert.That(await Clock.WaitForTimerAsync(), Is.EqualTo(TimeSpan.FromSeconds(5)));
        while (Server.Requests("get") == 0)
        {
            await Task.Delay(5);
        }

        Clock.Advance(TimeSpan.FromSeconds(5));

        var error = Assert.ThrowsAsync<ProviderException>(async () => await call);
        Assert.That(error!.Message, Does.Contain("no answer"));
        Assert.That(error.IsTransient, Is.True);
        await sandbox.KillAsync();
    }

    private SandboxClientOptions WithAttemptTimeout()
    {
        var options = FaultyOptions();
        options.Resilience.Retry.MaxRetryAttempts = 0;
        options.Resilience.Timeouts.Attempt = TimeSpan.FromSeconds(5);
        return options;
    }

    private List<string> Transitions() =>
        _metrics.Of(SandboxDiagnostics.CircuitBreakerTransitions).Select(m => (string)m.Tags["state"]!).ToList();
}
