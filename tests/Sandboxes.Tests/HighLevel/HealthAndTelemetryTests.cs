using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>Health checks per provider, and the traces and metrics the library reports.</summary>
[TestFixture]
public sealed class HealthAndTelemetryTests
{
    [Test]
    public async Task The_local_provider_is_healthy()
    {
        await using var client = TestClients.Local();

        var health = await client.CheckHealthAsync("local");

        Assert.That(health.Status, Is.EqualTo(ProviderHealthStatus.Healthy), health.Description);
        Assert.That(health.CircuitState, Is.EqualTo(ProviderCircuitState.Closed));
    }

    [Test]
    public async Task A_failing_provider_is_unhealthy_and_an_open_circuit_says_so_without_calling()
    {
        await using var server = await FaultInjectingServer.StartAsync();
        var provider = FaultyHttpProvider.Register();
        try
        {
            var options = TestClients.Faulty(provider, server, new FakeTimeProvider());
            options.Resilience.CircuitBreaker.Enabled = true;
            options.Resilience.CircuitBreaker.MinimumThroughput = 2;
            await using var client = new SandboxClient(options);
            server.Plan("list", Fault.Unavailable, Fault.Unavailable);

            var first = await client.CheckHealthAsync(provider);
            var second = await client.CheckHealthAsync(provider);
            var third = await client.CheckHealthAsync(provider);

            Assert.That(first.Status, Is.EqualTo(ProviderHealthStatus.Unhealthy));
            Assert.That(first.Error, Is.InstanceOf<ProviderException>());
            Assert.That(server.Requests("list"), Is.EqualTo(2), "a health probe is never retried, and an open circuit is not called");
            Assert.That(second.CircuitState, Is.EqualTo(ProviderCircuitState.Open));
            Assert.That(third.Error, Is.InstanceOf<CircuitOpenException>());
        }
        finally
        {
            SandboxProviders.Unregister(provider);
        }
    }

    [Test]
    public async Task A_provider_without_credentials_is_unhealthy_naming_the_variable()
    {
        var provider = FaultyHttpProvider.Register(credentialVariables: ["SBX_TEST_ABSENT_KEY"]);
        try
        {
            await using var client = TestClients.Local();
            var health = await client.CheckHealthAsync(provider);

            Assert.That(health.Status, Is.EqualTo(ProviderHealthStatus.Unhealthy));
            Assert.That(health.Description, Does.Contain("SBX_TEST_ABSENT_KEY"));
        }
        finally
        {
            SandboxProviders.Unregister(provider);
        }
    }

    [Test]
    public async Task Creates_commands_and_retries_are_traced_and_measured()
    {
        await using var server = await FaultInjectingServer.StartAsync();
        var provider = FaultyHttpProvider.Register();
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SandboxDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if ((string?)a.GetTagItem(SandboxDiagnostics.ProviderTag) == provider)
                {
                    activities.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var metrics = new MeasurementRecorder(provider);
        try
        {
            var options = TestClients.Faulty(provider, server, new FakeTimeProvider());
            options.Resilience.Retry.BaseDelay = TimeSpan.Zero;
            await using var client = new SandboxClient(options);
            server.Plan("exec", Fault.RateLimited(0));

            await using (var sandbox = await client.CreateAsync())
            {
                await sandbox.RunCommandAsync("echo traced");
            }

            Assert.That(activities.Select(a => a.OperationName), Is.SupersetOf(new[] { "sandboxes.create", "sandboxes.command", "sandboxes.kill" }));
            Assert.That(activities.Single(a => a.OperationName == "sandboxes.command").Events.Select(e => e.Name), Does.Contain("retry"));
            Assert.That(metrics.Of(SandboxDiagnostics.CreateDuration).Single().Tags["outcome"], Is.EqualTo("success"));
            Assert.That(metrics.Of(SandboxDiagnostics.CommandDuration).Single().Tags["outcome"], Is.EqualTo("success"));
            var retry = metrics.Of(SandboxDiagnostics.Retries).Single();
            Assert.That(retry.Tags["sandboxes.operation"], Is.EqualTo("command"));
            Assert.That(retry.Tags["error.type"], Is.EqualTo(nameof(RateLimitException)));
        }
        finally
        {
            SandboxProviders.Unregister(provider);
        }
    }
}
