using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// A fixture with a private provider target of its own (an emulator behind Prism, say) and one client of it, started
/// before its first test and stopped after its last.
/// </summary>
/// <typeparam name="TTarget">The target the fixture starts.</typeparam>
public abstract class TargetClientFixture<TTarget>
    where TTarget : ProviderTarget, new()
{
    /// <summary>The fixture's own target.</summary>
    protected TTarget Target { get; } = new();

    /// <summary>A client of <see cref="Target"/>, with resilience off (see <see cref="Direct"/>).</summary>
    protected Sandboxer Client { get; private set; } = null!;

    /// <summary>
    /// Options for a client whose calls go to the adapter once each: these fixtures study what the adapter makes of each
    /// answer (a 503, a 429 with its wait), which retries would hide.
    /// </summary>
    protected static SandboxerOptions Direct()
    {
        var options = new SandboxerOptions();
        options.Resilience.Enabled = false;
        return options;
    }

    [OneTimeSetUp]
    public async Task StartTargetAsync()
    {
        await Target.EnsureStartedAsync();
        Client = new Sandboxer(Target.Provider, Target.Config, Direct());
    }

    // NUnit runs a derived fixture's one-time teardown first, so its own sandboxes go before the client and the target.
    [OneTimeTearDown]
    public async Task StopTargetAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        await Target.StopAsync();
    }
}
