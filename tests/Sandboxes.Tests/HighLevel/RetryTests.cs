using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// Retries through a real HTTP server that injects faults, on a fake clock: bounded, backing off, honouring
/// Retry-After, and never repeating a command that may have run.
/// </summary>
[TestFixture]
public sealed class RetryTests : FaultyProviderFixture
{
    private SandboxClient _client = null!;

    [SetUp]
    public void CreateClient() => _client = new SandboxClient(FaultyOptions());

    [TearDown]
    public async Task DisposeClientAsync() => await _client.DisposeAsync();

    [Test]
    public async Task Idempotent_calls_are_retried_a_bounded_number_of_times_with_growing_delays()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("get", Enumerable.Repeat(Fault.Unavailable, 10).ToArray());

        var call = sandbox.InfoAsync();
        var waits = await TestClients.DriveAsync(call, Clock);

        var error = Assert.ThrowsAsync<ProviderException>(async () => await call);
        Assert.That(error!.StatusCode, Is.EqualTo(503));
        Assert.That(Server.Requests("get"), Is.EqualTo(4), "one call and MaxRetryAttempts (3) retries, then give up");
        Assert.That(waits, Has.Count.EqualTo(3));
        Assert.That(waits, Has.All.GreaterThan(TimeSpan.Zero).And.All.LessThanOrEqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public async Task A_transient_failure_then_success_returns_the_result()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("get", Fault.Unavailable, new Fault { Status = 504 }, new Fault { Abort = true });

        var call = sandbox.InfoAsync();
        await TestClients.DriveAsync(call, Clock);

        Assert.That((await call).Id, Is.EqualTo(sandbox.Id));
        Assert.That(Server.Requests("get"), Is.EqualTo(4));
    }

    [Test]
    public async Task Retry_after_is_honoured_exactly_on_the_clock()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("get", Fault.RateLimited(7));

        var call = sandbox.InfoAsync();
        var due = await Clock.WaitForTimerAsync();

        Assert.That(due, Is.EqualTo(TimeSpan.FromSeconds(7)), "the provider's Retry-After replaces the backoff");
        Clock.Advance(TimeSpan.FromSeconds(6.9));
        await Task.Delay(100);
        Assert.That(Server.Requests("get"), Is.EqualTo(1), "not sent again before Retry-After has passed");
        Assert.That(call.IsCompleted, Is.False);

        Clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.That((await call).Id, Is.EqualTo(sandbox.Id));
        Assert.That(Server.Requests("get"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_retry_after_beyond_the_limit_fails_at_once_instead_of_blocking()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("get", Fault.RateLimited(3600));

        var error = Assert.ThrowsAsync<RateLimitException>(() => sandbox.InfoAsync());

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(error.IsTransient, Is.True, "failover may try another provider");
        Assert.That(Server.Requests("get"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_command_whose_response_was_lost_is_not_run_again()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("exec", Fault.LostResponse);

        var call = sandbox.RunCommandAsync("echo once");
        var waits = await TestClients.DriveAsync(call, Clock);

        Assert.ThrowsAsync<ProviderException>(async () => await call);
        Assert.That(Server.Executions("echo once"), Is.EqualTo(1), "the command ran once on the server");
        Assert.That(Server.Requests("exec"), Is.EqualTo(1), "starting a command is not idempotent: no retry");
        Assert.That(waits, Is.Empty);
    }

    [Test]
    public async Task A_command_whose_connection_was_reset_after_it_ran_is_not_run_again()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("exec", new Fault { Abort = true, AfterProcessing = true });

        var call = sandbox.RunCommandAsync("echo reset");
        await TestClients.DriveAsync(call, Clock);

        Assert.ThrowsAsync<ProviderException>(async () => await call);
        Assert.That(Server.Executions("echo reset"), Is.EqualTo(1));
        Assert.That(Server.Requests("exec"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_rate_limited_command_is_retried_and_runs_exactly_once()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("exec", Fault.RateLimited(2));

        var call = sandbox.RunCommandAsync("echo throttled");
        var waits = await TestClients.DriveAsync(call, Clock);

        Assert.That((await call).Stdout, Is.EqualTo("echo throttled\n"));
        Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromSeconds(2) }));
        Assert.That(Server.Executions("echo throttled"), Is.EqualTo(1), "a 429 is refused before any work, so resending is safe");
        Assert.That(Server.Requests("exec"), Is.EqualTo(2));
    }

    [Test]
    public void Capability_gaps_pass_through_the_pipeline_at_call_time_and_unretried()
    {
        var adapter = _client.GetSandboxer().Resilient;

        Assert.That(() => adapter.StreamCommandAsync("id", new RunCommandRequest("true"), CancellationToken.None),
            Throws.InstanceOf<FeatureNotSupportedException>());
        Assert.That(() => adapter.AttachCommandAsync("id", "h", CancellationToken.None), Throws.InstanceOf<FeatureNotSupportedException>());
        Assert.ThrowsAsync<FeatureNotSupportedException>(() => adapter.PauseAsync("id", CancellationToken.None));
    }

    [Test]
    public async Task Bad_input_is_never_retried()
    {
        await using var sandbox = await _client.CreateAsync();
        Server.Plan("get", new Fault { Status = 400 });

        Assert.ThrowsAsync<ProviderException>(() => sandbox.InfoAsync());
        Assert.That(Server.Requests("get"), Is.EqualTo(1));
    }
}
