using NUnit.Framework;
using Sandboxes.Tests.Conformance;
using Sandboxes.Tests.HighLevel;

namespace Sandboxes.Tests.LostCreate;

/// <summary>
/// A create whose answer is lost after the provider made the sandbox never leaves a sandbox running unseen, on the real
/// target of every provider: the sandbox made is handed back (the only one, and it works) or killed, and in every case
/// the provider's own listing, and for local the host, holds nothing more at the end. Through the high-level client
/// (creation labels, retries) and through the low-level <see cref="Sandboxer"/>, where the lost answer is an error.
/// </summary>
[TestFixtureSource(typeof(LostCreateCases), nameof(LostCreateCases.Fixtures))]
public sealed class LostCreateTests(ProviderTarget target, AnswerLoss loss)
{
    // Shorter than making any sandbox takes: the deadline passes while the provider is at work.
    private static readonly TimeSpan CreateDeadline = TimeSpan.FromMilliseconds(5);

    private readonly Dictionary<string, string> _fixtureLabels = new() { ["lost-create"] = Guid.NewGuid().ToString("N")[..12] };
    private LostAnswerRig? _rig;
    private bool _labels;

    private LostAnswerRig Rig => _rig ?? throw new InvalidOperationException("The fixture did not start.");

    // A provider without labels refuses them; its listing is then the whole of the rig's own server.
    private Dictionary<string, string>? Labels => _labels ? _fixtureLabels : null;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await target.EnsureStartedAsync();
        _labels = SandboxProviders.Describe(target.Provider).Capabilities.Supports(Capability.Labels);
        _rig = LostCreateCases.RigFor(target);
        await _rig.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }
    }

    [Test]
    public async Task Through_the_high_level_client_the_sandbox_made_is_adopted_or_killed()
    {
        var options = TestClients.Isolated(target.Provider);
        options.ConfigureProvider(target.Provider, Rig.Config);
        options.Resilience.Retry.BaseDelay = TimeSpan.FromMilliseconds(50);
        options.Resilience.CircuitBreaker.Enabled = false;
        if (loss == AnswerLoss.TimedOut)
        {
            options.Resilience.Timeouts.Create = CreateDeadline;
        }

        await using var client = new SandboxClient(options);
        var token = Rig.Arm(loss);
        var (sandbox, error) = await OutcomeAsync(() => client.CreateAsync(new SandboxOptions { Labels = Labels, Image = target.CreateRequest.Image }, token));
        var made = Rig.Disarm();

        await AssertAdoptedOrKilledAsync(made, sandbox, error, carriesCreationId: _labels);
    }

    [Test]
    public async Task Through_the_low_level_client_the_error_leaves_no_sandbox_running()
    {
        await using var client = new Sandboxer(target.Provider, Rig.Config);
        var token = Rig.Arm(loss);
        using var deadline = new CancellationTokenSource();
        if (loss == AnswerLoss.TimedOut)
        {
            deadline.CancelAfter(CreateDeadline);
            token = deadline.Token;
        }

        var (sandbox, error) = await OutcomeAsync(async () => (await client.CreateSandboxAsync(target.CreateRequest with { Labels = Labels }, token)).Sandbox);
        var made = Rig.Disarm();

        await AssertAdoptedOrKilledAsync(made, sandbox, error, carriesCreationId: false);
    }

    private async Task AssertAdoptedOrKilledAsync(IReadOnlyList<string> made, Sandbox? sandbox, Exception? error, bool carriesCreationId)
    {
        foreach (var id in made.Append(sandbox?.Id).OfType<string>())
        {
            LeakCheck.Record(id);
        }

        TestContext.Out.WriteLine(sandbox is null
            ? $"{made.Count} made, none handed back: {error?.GetType().Name}: {error?.Message}"
            : $"{made.Count} made, {sandbox.Id} handed back ({(made.Contains(sandbox.Id) ? "one of those made" : "made by a retry")})");
        Assert.That(made, Is.Not.Empty, "the provider made a sandbox before its answer was lost");
        if (sandbox is null)
        {
            Assert.That(error, Is.InstanceOf<SandboxException>().Or.InstanceOf<OperationCanceledException>(), "the lost answer is a typed error");
            Assert.That(await AliveAsync(), Is.Empty, $"no sandbox is left running after: {error}");
            Assert.That(Rig.HostLeftovers(made), Is.Empty, "the host holds nothing of the sandboxes made");
            return;
        }

        try
        {
            Assert.That(await AliveAsync(), Is.EqualTo(new[] { sandbox.Id }), "exactly one sandbox exists: the one handed back");
            if (carriesCreationId)
            {
                // Created with the creation label, which the library keeps to itself: the user sees the labels they gave.
                var labels = (await sandbox.InfoAsync()).Labels;
                Assert.That(labels, Does.Not.ContainKey("sandboxes.creation-id"));
                Assert.That(labels, Is.EquivalentTo(Labels!));
            }

            Assert.That((await sandbox.RunCommandAsync("echo adopted")).Stdout, Is.EqualTo("adopted\n"), "the sandbox handed back works");
            Assert.That(Rig.HostLeftovers(made.Where(id => id != sandbox.Id).ToList()), Is.Empty, "the host holds nothing of the others");
        }
        finally
        {
            await sandbox.KillAsync();
        }

        Assert.That(await AliveAsync(), Is.Empty, "killing the one handed back leaves nothing");
        Assert.That(Rig.HostLeftovers([.. made, sandbox.Id]), Is.Empty, "the host holds nothing of the sandboxes made");
    }

    /// <summary>The provider's own listing of this fixture's sandboxes, stopped ones (on their way out) left aside.</summary>
    private async Task<List<string>> AliveAsync() =>
        (await Rig.ListAsync(Labels)).Where(s => s.Status != SandboxStatus.Stopped).Select(s => s.Id).ToList();

    private static async Task<(Sandbox? Sandbox, Exception? Error)> OutcomeAsync(Func<Task<Sandbox>> create)
    {
        try
        {
            return (await create(), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }
}
