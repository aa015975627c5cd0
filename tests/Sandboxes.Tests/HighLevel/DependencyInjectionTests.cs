using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Sandboxes.FaultInjection;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// <c>services.AddSandboxes(configuration.GetSection("Sandboxes"))</c> in a host built the usual way: options bound
/// from configuration, HTTP clients from IHttpClientFactory, logs through ILogger, health checks.
/// </summary>
[TestFixture]
public sealed class DependencyInjectionTests
{
    [Test]
    public async Task The_client_is_configured_from_the_Sandboxes_section()
    {
        var configuration = Configuration(new()
        {
            ["Sandboxes:DefaultProvider"] = "local",
            ["Sandboxes:UseConfigFile"] = "false",
            ["Sandboxes:Fallback:0"] = "local",
            ["Sandboxes:Providers:local:state_dir"] = TestEnvironment.StateDir,
            ["Sandboxes:Resilience:Retry:MaxRetryAttempts"] = "5",
            ["Sandboxes:Resilience:Retry:BaseDelay"] = "00:00:00.250",
            ["Sandboxes:Resilience:CircuitBreaker:BreakDuration"] = "60",
            ["Sandboxes:Resilience:Timeouts:Attempt"] = "Infinite",
        });
        await using var services = new ServiceCollection().AddLogging().AddSandboxes(configuration.GetSection("Sandboxes")).BuildServiceProvider();

        var client = services.GetRequiredService<SandboxClient>();

        Assert.That(services.GetRequiredService<SandboxClient>(), Is.SameAs(client), "one client per host");
        Assert.That(client.Options.DefaultProvider, Is.EqualTo("local"));
        Assert.That(client.Options.Fallback, Is.EqualTo(new[] { "local" }));
        Assert.That(client.Options.Resilience.Retry.MaxRetryAttempts, Is.EqualTo(5));
        Assert.That(client.Options.Resilience.Retry.BaseDelay, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(client.Options.Resilience.CircuitBreaker.BreakDuration, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(client.Options.Resilience.Timeouts.Attempt, Is.EqualTo(Timeout.InfiniteTimeSpan));
        Assert.That(client.Options.Providers["local"].GetExtra("state_dir"), Is.EqualTo(TestEnvironment.StateDir));

        var result = await client.RunAsync("echo from di");
        Assert.That(result.Stdout, Is.EqualTo("from di\n"));
    }

    [Test]
    public void A_mistyped_key_or_value_is_reported_with_its_path()
    {
        var typo = Configuration(new() { ["Sandboxes:Resilience:Retry:MaxRetries"] = "5" });
        var wrongType = Configuration(new() { ["Sandboxes:Resilience:Retry:MaxRetryAttempts"] = "many" });
        using var first = new ServiceCollection().AddSandboxes(typo.GetSection("Sandboxes")).BuildServiceProvider();
        using var second = new ServiceCollection().AddSandboxes(wrongType.GetSection("Sandboxes")).BuildServiceProvider();

        Assert.That(Assert.Throws<BadConfigException>(() => first.GetRequiredService<SandboxClient>())!.Message,
            Does.Contain("Sandboxes:Resilience:Retry:MaxRetries"));
        Assert.That(Assert.Throws<BadConfigException>(() => second.GetRequiredService<SandboxClient>())!.Message,
            Does.Contain("MaxRetryAttempts").And.Contain("many"));
    }

    [Test]
    public async Task Http_clients_come_from_the_factory_and_failover_is_logged()
    {
        await using var server = await FaultInjectingServer.StartAsync();
        var provider = FaultyHttpProvider.Register();
        var counter = new CountingHandler();
        var logs = new CapturingLoggerProvider();
        try
        {
            var serviceCollection = new ServiceCollection();
            serviceCollection.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
            serviceCollection.AddHttpClient(SandboxesServiceCollectionExtensions.HttpClientNamePrefix + provider,
                c => c.BaseAddress = server.BaseUrl).AddHttpMessageHandler(() => counter);
            serviceCollection.AddSandboxes(o =>
            {
                o.DefaultProvider = provider;
                o.UseConfigFile = false;
                o.Fallback = ["local"];
                o.Resilience.Retry.MaxRetryAttempts = 0;
                o.ConfigureProvider("local", TestEnvironment.LocalConfig());
            });
            await using var services = serviceCollection.BuildServiceProvider();
            var client = services.GetRequiredService<SandboxClient>();
            server.Plan("create", Fault.Unavailable);

            await using var sandbox = await client.CreateAsync();
            LeakCheck.Record(sandbox.Id);

            Assert.That(server.Requests("create"), Is.EqualTo(1));
            Assert.That(counter.Requests, Is.EqualTo(server.Requests("create") + server.Requests("list")),
                "every request to the provider (the create, then the look-up by creation label after the 503) went through the factory's handler");
            Assert.That(sandbox.Provider, Is.EqualTo("local"));
            Assert.That(logs.Messages, Has.Some.Contain($"Provider {provider} skipped, trying local"));
            Assert.That(logs.Messages, Has.Some.Contain("after failover from " + provider));
        }
        finally
        {
            SandboxProviders.Unregister(provider);
        }
    }

    [Test]
    public async Task Health_checks_report_each_provider()
    {
        var provider = FaultyHttpProvider.Register(credentialVariables: ["SBX_TEST_NEVER_SET"]);
        try
        {
            var serviceCollection = new ServiceCollection().AddLogging();
            serviceCollection.AddSandboxes(o =>
            {
                o.DefaultProvider = "local";
                o.UseConfigFile = false;
                o.EnvironmentVariables = _ => null;
                o.ConfigureProvider("local", TestEnvironment.LocalConfig());
            });
            serviceCollection.AddHealthChecks().AddSandboxes("local", provider);
            await using var services = serviceCollection.BuildServiceProvider();

            var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            Assert.That(report.Entries["sandboxes:local"].Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries["sandboxes:" + provider].Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Entries["sandboxes:" + provider].Description, Does.Contain("SBX_TEST_NEVER_SET"));
        }
        finally
        {
            SandboxProviders.Unregister(provider);
        }
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _requests;

        public int Requests => _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue(formatter(state, exception));
        }
    }
}
