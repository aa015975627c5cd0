using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Base of the hostile-input properties run against real sandboxes: local (namespaces, bubblewrap) and docker (the
/// podman engine). A fixture makes its few sandboxes once, and every generated case runs against them; a host canary
/// outside every sandbox is checked after each case.
/// </summary>
public abstract class HostileSandboxFixture
{
    protected HostileSandboxFixture(ProviderTarget target) => Target = target;

    /// <summary>The targets the properties run against, each with the category of the component it needs.</summary>
    public static IEnumerable<TestFixtureData> Targets()
    {
        foreach (var target in ProviderTargets.All.Where(t => t is LocalTarget or DockerTarget))
        {
            var fixture = new TestFixtureData(target).SetArgDisplayNames(target.Name);
            fixture.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, target.Category ?? "Bubblewrap");
            yield return fixture;
        }
    }

    protected ProviderTarget Target { get; }

    protected Sandboxer Client { get; private set; } = null!;

    protected HostCanary Canary { get; private set; } = null!;

    /// <summary>How long one call may take before it counts as a hang (an engine's exec is slower than a local call).</summary>
    protected TimeSpan Bound => Target is DockerTarget ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(10);

    [OneTimeSetUp]
    public async Task StartClient()
    {
        await Target.EnsureStartedAsync();
        Client = new Sandboxer(Target.Provider, Target.Config);
        Canary = new HostCanary();
        TestContext.Out.WriteLine($"hostile-input profile: {FuzzProfile.Name}");
    }

    [OneTimeTearDown]
    public async Task StopClient()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync(); // kills every sandbox the fixture made
        }

        Canary?.Dispose();
    }

    /// <summary>Creates a sandbox of the target (its image for docker), recorded for the leak check.</summary>
    protected async Task<Sandbox> CreateAsync(CreateSandboxRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new CreateSandboxRequest();
        if (Target.CreateRequest.Image is { } image)
        {
            request = request with { Image = image };
        }

        var (sandbox, info) = await Client.CreateSandboxAsync(request, cancellationToken);
        LeakCheck.Record(info.Id);
        return sandbox;
    }

    /// <summary>
    /// Plants what a hostile sandbox leaves for the file API: links to the host canary (absolute, and climbing), a link
    /// loop, a FIFO, and (unless <paramref name="forMutation"/>) links to its own root and to <c>/proc</c> roots.
    /// Returns the names planted, for the path generator.
    /// </summary>
    protected async Task<string[]> PlantAsync(Sandbox sandbox, bool forMutation)
    {
        var script = $"""
            mkdir -p /workspace/dir && echo inside > /workspace/dir/file.txt
            ln -s '{Canary.Directory}' /workspace/link-to-host
            ln -s '{Canary.File}' /workspace/link-to-canary
            ln -s '{Canary.Directory}/../../..' /workspace/link-up-host
            ln -s ../../../../../../.. /workspace/link-up
            ln -s loop /workspace/loop
            mkfifo /workspace/fifo
            """;
        if (!forMutation)
        {
            script += $"""

                ln -s / /workspace/link-to-root
                ln -s '/proc/self/root{Canary.File}' /workspace/link-proc-root
                ln -s /proc/1/root /workspace/link-proc1
                """;
        }

        var result = await sandbox.RunCommandAsync(new RunCommandRequest(script) { TimeoutSeconds = 30 });
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var names = new List<string> { "dir", "file.txt", "link-to-host", "link-to-canary", "link-up-host", "link-up", "loop", "fifo" };
        if (!forMutation)
        {
            names.AddRange(["link-to-root", "link-proc-root", "link-proc1"]);
        }

        names.AddRange(Canary.EntryNames);
        return [.. names];
    }
}
