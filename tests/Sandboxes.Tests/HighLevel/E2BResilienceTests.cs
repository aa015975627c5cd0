using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Emulators;
using Sandboxes.FaultInjection;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// The resilience pipeline around a real cloud adapter: the e2b adapter against its emulator behind Prism, with faults
/// injected by operation (429 with Retry-After, 503, a dropped connection, an answer that never comes, a response lost
/// after the work was done). Real clock, short delays.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class E2BResilienceTests
{
    private readonly E2BTarget _target = new();
    private SandboxClient _client = null!;
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await _target.EnsureStartedAsync();
        var options = TestClients.Isolated("e2b");
        options.ConfigureProvider("e2b", _target.Config);
        options.Resilience.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
        options.Resilience.Retry.MaxRetryAttempts = 3;
        options.Resilience.Timeouts.Attempt = TimeSpan.FromSeconds(2);
        options.Resilience.CircuitBreaker.Enabled = false;
        _client = new SandboxClient(options);
        _sandbox = await _client.CreateAsync(new SandboxOptions { Provider = "e2b" });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        await _target.StopAsync();
    }

    private FaultPlan Faults => _target.Emulator.Faults;

    [Test]
    public async Task A_rate_limited_create_waits_as_long_as_Retry_After_says_then_succeeds()
    {
        var before = Faults.Requests("postSandboxes");
        Faults.Plan("postSandboxes", Fault.RateLimited(1));
        var clock = Stopwatch.StartNew();

        await using var sandbox = await _client.CreateAsync(new SandboxOptions { Provider = "e2b" });

        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.95)), "the provider's Retry-After replaces the short backoff");
        Assert.That(Faults.Requests("postSandboxes") - before, Is.EqualTo(2));
        Assert.That(await sandbox.IsRunningAsync(), Is.True);
    }

    [Test]
    public async Task Service_unavailable_twice_then_the_answer()
    {
        var before = Faults.Requests("getSandboxesBySandboxID");
        Faults.Plan("getSandboxesBySandboxID", Fault.Unavailable, Fault.Unavailable);

        var info = await _sandbox.InfoAsync();

        Assert.That(info.Id, Is.EqualTo(_sandbox.Id));
        Assert.That(Faults.Requests("getSandboxesBySandboxID") - before, Is.EqualTo(3));
    }

    [Test]
    public async Task A_dropped_connection_to_envd_is_retried_for_a_call_that_is_safe_to_repeat()
    {
        var before = Faults.Requests("filesystem.Filesystem/ListDir");
        Faults.Plan("filesystem.Filesystem/ListDir", new Fault { Abort = true });

        var entries = await _sandbox.ListDirectoryAsync("/tmp");

        Assert.That(entries, Is.Not.Null);
        Assert.That(Faults.Requests("filesystem.Filesystem/ListDir") - before, Is.EqualTo(2));
    }

    [Test]
    public async Task An_answer_that_never_comes_is_cut_by_the_attempt_timeout_and_tried_again()
    {
        var before = Faults.Requests("getSandboxesBySandboxID");
        Faults.Plan("getSandboxesBySandboxID", new Fault { Hang = true });
        var clock = Stopwatch.StartNew();

        var info = await _sandbox.InfoAsync();

        Assert.That(info.Id, Is.EqualTo(_sandbox.Id));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)).And.LessThan(TimeSpan.FromSeconds(20)));
        Assert.That(Faults.Requests("getSandboxesBySandboxID") - before, Is.EqualTo(2));
    }

    [Test]
    public async Task A_create_whose_response_was_lost_is_adopted_not_repeated()
    {
        var label = Guid.NewGuid().ToString("N")[..12];
        Faults.Plan("postSandboxes", Fault.LostResponse);

        await using var sandbox = await _client.CreateAsync(new SandboxOptions
        {
            Provider = "e2b", Labels = new Dictionary<string, string> { ["lost"] = label },
        });

        var listed = await _client.GetSandboxer("e2b").ListSandboxesAsync(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["lost"] = label } });
        Assert.That(listed.Select(i => i.Id), Is.EqualTo(new[] { sandbox.Id }), "one sandbox: the one the lost response created");
    }

    [Test]
    public async Task A_command_whose_stream_was_lost_is_not_run_twice()
    {
        var marker = $"/workspace/once-{Guid.NewGuid():N}";
        Faults.Plan("process.Process/Start", Fault.LostResponse);

        Assert.That(async () => await _sandbox.RunCommandAsync($"echo ran >> {marker}"), Throws.InstanceOf<ProviderException>());

        await Task.Delay(500);
        Assert.That(await _sandbox.ReadTextAsync(marker), Is.EqualTo("ran\n"), "the command ran once and was not sent again");
    }
}
