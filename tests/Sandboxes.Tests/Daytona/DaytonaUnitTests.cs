using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using NUnit.Framework;
using Sandboxes.Emulators.Daytona;
using Sandboxes.Providers.Daytona;

namespace Sandboxes.Tests.Daytona;

/// <summary>
/// The daytona adapter's pieces without a server: the wrapper script run by this machine's <c>/bin/sh</c>, the session-log
/// demultiplexer, path rules, and the PTY message checks the emulator applies (which must reject what breaks the shapes).
/// </summary>
[TestFixture]
public sealed class DaytonaUnitTests
{
    [Test]
    public async Task The_wrapper_keeps_streams_apart_and_exact_and_feeds_stdin()
    {
        var request = new RunCommandRequest("printf 'out\\377'; printf err >&2; cat; exit 3")
        {
            Stdin = "in put", Env = new Dictionary<string, string> { ["X"] = "it's $HOME" },
        };

        var (outcome, stdout, stderr) = await RunCollectedAsync(request);

        Assert.That(stdout, Is.EqualTo("out\xFF"u8.ToArray().Take(3).Concat(new byte[] { 0xFF }).Concat("in put"u8.ToArray()).ToArray()));
        Assert.That(Encoding.UTF8.GetString(stderr), Is.EqualTo("err"));
        Assert.That(outcome.ExitCode, Is.EqualTo(3));
        Assert.That(outcome.TimedOut, Is.False);
    }

    [Test]
    public async Task The_wrappers_deadline_kills_the_whole_group_and_keeps_the_output()
    {
        var marker = Path.Combine(Path.GetTempPath(), "sbx-late-" + Guid.NewGuid().ToString("N"));
        var started = Stopwatch.StartNew();

        var (outcome, stdout, _) = await RunCollectedAsync(new RunCommandRequest($"echo started; (sleep 2; echo late > {marker}) & sleep 30") { TimeoutSeconds = 0.5 });
        await Task.Delay(2500);

        Assert.That(outcome.TimedOut, Is.True);
        Assert.That(outcome.Limit, Is.EqualTo(0.5));
        Assert.That(Encoding.UTF8.GetString(stdout), Is.EqualTo("started\n"));
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(File.Exists(marker), Is.False, "the background child was killed with the group");
    }

    [Test]
    public async Task The_wrapper_reports_a_missing_working_directory_and_refuses_bad_variable_names()
    {
        var (outcome, _, _) = await RunCollectedAsync(new RunCommandRequest("pwd") { Cwd = "/no/such/dir" });

        Assert.That(outcome.CwdMissing, Is.True);
        Assert.That(() => CommandScript.Build("0123456789abcdef", new RunCommandRequest("true") { Env = new Dictionary<string, string> { ["A B"] = "x" } }),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("A B"));
    }

    [Test]
    public void The_demultiplexer_splits_labelled_lines_even_when_a_prefix_is_cut()
    {
        var demuxer = new SessionLogDemuxer();
        var seen = new List<(int Stream, string Text)>();
        void Collect(int stream, ReadOnlySpan<byte> data) => seen.Add((stream, Encoding.UTF8.GetString(data)));

        demuxer.Feed([1, 1, 1, (byte)'a', (byte)'\n', 2, 2], Collect);
        demuxer.Feed([2, (byte)'b', (byte)'\n', 1], Collect);
        demuxer.Feed([1, 1, (byte)'c'], Collect);
        demuxer.Flush(Collect);

        Assert.That(string.Concat(seen.Where(s => s.Stream == 1).Select(s => s.Text)), Is.EqualTo("a\nc"));
        Assert.That(string.Concat(seen.Where(s => s.Stream == 2).Select(s => s.Text)), Is.EqualTo("b\n"));
    }

    [TestCase("/workspace/a/../b", "/workspace/b")]
    [TestCase("rel/x", "/home/daytona/rel/x")]
    [TestCase("/", "/")]
    public void Paths_are_normalised_against_the_working_directory(string path, string expected) =>
        Assert.That(DaytonaPaths.Normalize(path, "/home/daytona"), Is.EqualTo(expected));

    [Test]
    public void A_path_above_the_root_is_refused() =>
        Assert.That(() => DaytonaPaths.Normalize("/a/../../etc", "/"), Throws.InstanceOf<InvalidSandboxPathException>());

    [Test]
    public void The_pty_checks_accept_the_documented_messages_and_reject_others()
    {
        Assert.That(DaytonaPtyProtocol.CheckServerControl(DaytonaPtyProtocol.Connected()), Is.Null);
        Assert.That(DaytonaPtyProtocol.CheckServerControl(DaytonaPtyProtocol.Exited(137)), Is.Null);
        Assert.That(DaytonaPtyProtocol.CheckServerControl(DaytonaPtyProtocol.Error("gone")), Is.Null);
        Assert.That(DaytonaPtyProtocol.CheckCloseReason(DaytonaPtyProtocol.CloseReason(2)), Is.Null);

        Assert.That(DaytonaPtyProtocol.CheckServerControl("""{"type":"control","status":"ready"}"""), Is.Not.Null);
        Assert.That(DaytonaPtyProtocol.CheckServerControl("""{"type":"control","status":"exited","exitCode":"1"}"""), Is.Not.Null);
        Assert.That(DaytonaPtyProtocol.CheckServerControl("""{"type":"resize","rows":2}"""), Is.Not.Null);
        Assert.That(DaytonaPtyProtocol.CheckCloseReason("bye"), Is.Not.Null);
        Assert.That(DaytonaPtyProtocol.CheckClientFrame(WebSocketMessageType.Text, "ls\n"u8), Is.Not.Null);
        Assert.That(DaytonaPtyProtocol.CheckClientFrame(WebSocketMessageType.Binary, "ls\n"u8), Is.Null);
        Assert.That(DaytonaPtyProtocol.ExitReason(130), Is.EqualTo("Ctrl+C"));
    }

    [Test]
    public void Quota_messages_become_quota_errors_and_other_bad_requests_do_not()
    {
        var quota = new ProviderException("daytona", "HTTP 400: Total memory limit exceeded. Maximum allowed: 10GiB.", 400);
        var other = new ProviderException("daytona", "HTTP 400: name should not be empty", 400);

        Assert.That(DaytonaErrors.Refine(quota), Is.InstanceOf<QuotaExceededException>());
        Assert.That(DaytonaErrors.Refine(other), Is.SameAs(other));
    }

    /// <summary>Runs the collecting wrapper as /process/execute does: the script piped into sh.</summary>
    private static async Task<(CommandOutcome Outcome, byte[] Stdout, byte[] Stderr)> RunCollectedAsync(RunCommandRequest request)
    {
        const string nonce = "0123456789abcdef";
        var script = CommandScript.Build(nonce, request);
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return CommandOutcome.ParseCollected(nonce, output);
    }
}
