using NUnit.Framework;
using Sandboxes.FaultInjection;
using Sandboxes.Testing;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// A fixture whose tests talk to a provider registered for them, backed by a real HTTP server that injects faults on
/// plan, on a fake clock; the provider is unregistered and the server stopped after each test.
/// </summary>
public abstract class FaultyProviderFixture
{
    /// <summary>The server behind the provider; <c>Server.Plan(...)</c> injects faults into its next calls.</summary>
    protected FaultInjectingServer Server { get; private set; } = null!;

    /// <summary>The name the provider is registered under for this test.</summary>
    protected string Provider { get; private set; } = null!;

    /// <summary>The clock the client's resilience pipeline waits on.</summary>
    protected FakeTimeProvider Clock { get; private set; } = null!;

    /// <summary>Client options for <see cref="Provider"/> on <see cref="Server"/> and <see cref="Clock"/>.</summary>
    protected SandboxClientOptions FaultyOptions() => TestClients.Faulty(Provider, Server, Clock);

    [SetUp]
    public async Task StartServerAsync()
    {
        Server = await FaultInjectingServer.StartAsync();
        Provider = FaultyHttpProvider.Register();
        Clock = new FakeTimeProvider();
    }

    // NUnit runs a derived fixture's TearDown first, so its clients are disposed before the server stops.
    [TearDown]
    public async Task StopServerAsync()
    {
        SandboxProviders.Unregister(Provider);
        await Server.DisposeAsync();
    }
}
