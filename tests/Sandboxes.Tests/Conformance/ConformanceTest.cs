using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// Base of the conformance fixtures: one client and one shared sandbox per fixture, and helpers that call the sync or
/// the async API according to the fixture's mode, so the same test proves both.
/// </summary>
public abstract class ConformanceTest
{
    protected ConformanceTest(ProviderTarget target, ApiMode mode)
    {
        Target = target;
        Mode = mode;
    }

    protected ProviderTarget Target { get; }

    protected ApiMode Mode { get; }

    protected Sandboxer Client { get; private set; } = null!;

    protected Sandbox Sandbox { get; private set; } = null!;

    /// <summary>Labels that mark this fixture's sandboxes, so listings can be checked without interference.</summary>
    protected Dictionary<string, string> FixtureLabels { get; } = new() { ["fixture"] = Guid.NewGuid().ToString("N")[..12] };

    [OneTimeSetUp]
    public async Task StartTargetAndSandbox()
    {
        await Target.EnsureStartedAsync();
        Client = new Sandboxer(Target.Provider, Target.Config);
        Sandbox = await CreateAsync();
    }

    [OneTimeTearDown]
    public async Task KillSandbox()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync(); // kills every sandbox it created that was not kept
        }
    }

    /// <summary>True when the target's table declares the capability.</summary>
    protected bool Supports(Capability capability) => Client.Capabilities.Supports(capability);

    /// <summary>
    /// For a capability the target lacks: asserts that <paramref name="operation"/> throws FeatureNotSupportedException and
    /// returns false, so the test ends; otherwise returns true.
    /// </summary>
    protected bool RequireOrExpectGap(Capability capability, Func<Task> operation)
    {
        if (Supports(capability))
        {
            return true;
        }

        Assert.That(async () => await operation(), Throws.InstanceOf<FeatureNotSupportedException>()
            .With.Property(nameof(FeatureNotSupportedException.Capability)).EqualTo(capability));
        return false;
    }

    /// <summary>Creates a sandbox with this fixture's labels (killed when the fixture ends unless kept).</summary>
    protected async Task<Sandbox> CreateAsync(CreateSandboxRequest? request = null)
    {
        var labels = new Dictionary<string, string>(FixtureLabels);
        foreach (var (key, value) in request?.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        // A provider without labels refuses them (FeatureNotSupportedException); its sandboxes go unlabelled.
        var merged = (request ?? Target.CreateRequest) with { Labels = Supports(Capability.Labels) ? labels : null };
        if (request is not null && Target.CreateRequest.Image is { } image && merged.Image is null && merged.Snapshot is null)
        {
            merged = merged with { Image = image };
        }

        var (sandbox, info) = await Call(() => Client.CreateSandbox(merged), () => Client.CreateSandboxAsync(merged));
        LeakCheck.Record(info.Id);
        return sandbox;
    }

    /// <summary>Calls the sync or the async form according to the fixture's mode.</summary>
    protected async Task<T> Call<T>(Func<T> sync, Func<Task<T>> async) => Mode == ApiMode.Sync ? sync() : await async();

    /// <summary>Calls the sync or the async form according to the fixture's mode.</summary>
    protected async Task Call(Action sync, Func<Task> async)
    {
        if (Mode == ApiMode.Sync)
        {
            sync();
        }
        else
        {
            await async();
        }
    }

    /// <summary>Runs a command on the fixture's sandbox through the mode's API.</summary>
    protected Task<CommandResult> Run(RunCommandRequest request, Sandbox? sandbox = null)
    {
        var target = sandbox ?? Sandbox;
        return Call(() => target.RunCommand(request), () => target.RunCommandAsync(request));
    }

    /// <summary>Runs a command line on the fixture's sandbox through the mode's API.</summary>
    protected Task<CommandResult> Run(string cmd, Sandbox? sandbox = null) => Run(new RunCommandRequest(cmd), sandbox);

    /// <summary>A fresh path under /workspace for one test.</summary>
    protected static string TestPath(string name) => $"/workspace/t-{Guid.NewGuid():N}"[..26] + "/" + name;
}
