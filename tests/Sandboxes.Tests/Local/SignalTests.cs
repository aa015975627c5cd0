using NUnit.Framework;

namespace Sandboxes.Tests.Local;

/// <summary>
/// Commands start with every signal at its default, as in a terminal: none is inherited ignored from the host process
/// (which ignores SIGPIPE) or from the agent's background jobs (which a POSIX shell starts with SIGINT and SIGQUIT ignored).
/// </summary>
public sealed class SignalTests
{
    private Sandboxer _client = null!;
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task CreateAsync()
    {
        _client = new Sandboxer("local", TestEnvironment.LocalConfig());
        (_sandbox, var info) = await _client.CreateSandboxAsync();
        LeakCheck.Record(info.Id);
    }

    [OneTimeTearDown]
    public async Task KillAsync()
    {
        await _sandbox.KillAsync();
        await _client.DisposeAsync();
    }

    [Test]
    public async Task No_signal_is_ignored_in_a_command()
    {
        var result = await _sandbox.RunCommandAsync(new RunCommandRequest("grep SigIgn /proc/self/status"));

        Assert.That(result.Stdout, Is.EqualTo("SigIgn:\t0000000000000000\n"));
    }

    [Test]
    public async Task A_writer_to_a_closed_pipe_ends_quietly_by_SIGPIPE()
    {
        var result = await _sandbox.RunCommandAsync(new RunCommandRequest("yes | head -n 1"));

        Assert.That(result.Stdout, Is.EqualTo("y\n"));
        Assert.That(result.Stderr, Is.Empty, "yes died of SIGPIPE instead of reporting EPIPE");
    }

    [Test]
    public async Task A_background_command_can_be_interrupted()
    {
        var handle = await _sandbox.StartCommandAsync(new RunCommandRequest("exec sleep 60"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await _sandbox.KillProcessAsync(handle.Pid, ProcessSignal.Interrupt);
        var result = await _sandbox.WaitForHandleAsync(handle.HandleId, deadline.Token);

        Assert.That(result.ExitCode, Is.EqualTo(130), result.Error);
    }
}
