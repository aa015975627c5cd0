using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Providers.E2B;

internal sealed partial class E2BProvider
{
    // envd sends a keepalive event when a stream has been silent this long (E2B's SDKs ask for 50 s).
    private static readonly KeyValuePair<string, string> KeepaliveHeader = new("Keepalive-Ping-Interval", "50");

    // envd is told a command's timeout plus this, so that it kills the command itself if this client is gone; the
    // adapter kills the whole process tree at the timeout proper.
    private static readonly TimeSpan ServerBackstop = TimeSpan.FromSeconds(5);

    // The envd tag of the helper scripts the adapter runs (killers, followers, watchdogs); process listings omit them.
    private const string HelperTag = "sbx-helper";

    // How long after a command's timeout the adapter waits for envd to report the end of the killed command.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    // How long a command whose stdin could not be delivered has to report its end before it is taken as stuck waiting
    // for that input: a command that exits at once (a missing interpreter) is gone before its stdin arrives.
    private static readonly TimeSpan StdinGrace = TimeSpan.FromSeconds(10);

    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        try
        {
            await foreach (var e in RunEventsAsync(sandboxId, request, keepTails: false, cancellationToken).ConfigureAwait(false))
            {
                switch (e.Kind)
                {
                    case CommandEventKind.Stdout:
                        stdout.Append(e.Text);
                        break;
                    case CommandEventKind.Stderr:
                        stderr.Append(e.Text);
                        break;
                    case CommandEventKind.Exit:
                        return new CommandResult
                        {
                            Stdout = stdout.ToString(), Stderr = stderr.ToString(), ExitCode = e.ExitCode ?? 0,
                            Duration = Stopwatch.GetElapsedTime(started), Error = e.Error,
                        };
                }
            }
        }
        catch (SandboxTimeoutException e)
        {
            throw new SandboxTimeoutException(ProviderId, e.Message, e.Timeout, stdout.ToString(), stderr.ToString());
        }

        throw new ProviderException(ProviderId, "envd's stream ended without the command's end.");
    }

    /// <summary>
    /// Writes a foreground command's whole stdin and closes it. A failure is returned, not thrown: when the command has
    /// already exited (envd no longer takes its input), its end is still on the stream and is the outcome.
    /// </summary>
    private static async Task<SandboxException?> SendStdinAsync(EnvdConnection connection, int pid, string input, CancellationToken cancellationToken)
    {
        var selector = EnvdConnection.ByPid(pid);
        SandboxException? failure = null;
        try
        {
            await connection.SendInputAsync(selector, new ProcessInput { Stdin = ByteString.CopyFromUtf8(input) }, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException e) when (!cancellationToken.IsCancellationRequested)
        {
            failure = e;
        }

        try
        {
            // Closed even when the input failed, so that a command still reading it is not left waiting.
            await connection.CloseStdinAsync(selector, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException e) when (!cancellationToken.IsCancellationRequested)
        {
            failure ??= e;
        }

        return failure;
    }

    public override IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        RunEventsAsync(sandboxId, request, keepTails: true, cancellationToken);

    /// <summary>
    /// Runs a command in the foreground through one process.Start stream: its output as it comes, then its exit. At the
    /// timeout, or when the caller stops reading early, the command's whole process tree is killed (envd would signal
    /// only its shell).
    /// </summary>
    private async IAsyncEnumerable<CommandEvent> RunEventsAsync(string sandboxId, RunCommandRequest request, bool keepTails,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ValidateEnvironment(request.Env);
        var connection = await EnvdAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var user = request.User ?? _options.User;
        TimeSpan? timeout = request.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        var start = new StartRequest
        {
            Process = ProcessConfig(request.Cmd, request.Cwd, request.Env),
            Stdin = request.Stdin is not null,
        };
        var options = new ConnectCallOptions { Headers = [EnvdConnection.UserHeader(user), KeepaliveHeader], ServerTimeout = timeout + ServerBackstop };
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = connection.StartAsync(start, options, stream.Token).GetAsyncEnumerator(stream.Token);
        var stdout = new OutputDecoder(keepTails);
        var stderr = new OutputDecoder(keepTails);
        var pid = 0;
        ProcessEnd? end = null;
        var timedOut = 0;
        Timer? deadline = null;
        SandboxException? stdinError = null;
        try
        {
            pid = await ReadStartAsync(sandboxId, user, events, cancellationToken).ConfigureAwait(false);
            if (request.Stdin is { } input)
            {
                stdinError = await SendStdinAsync(connection, pid, input, cancellationToken).ConfigureAwait(false);
                if (stdinError is not null)
                {
                    stream.CancelAfter(StdinGrace);
                }
            }

            if (timeout is { } limit)
            {
                deadline = new Timer(_ =>
                {
                    Volatile.Write(ref timedOut, 1);
                    _ = KillTreeAsync(connection, pid);
                    stream.CancelAfter(KillGrace);
                }, null, limit, Timeout.InfiniteTimeSpan);
            }

            while (end is null)
            {
                ProcessEvent e;
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                    {
                        throw new ProviderException(ProviderId, "envd's stream ended without the command's end.");
                    }

                    e = events.Current;
                }
                catch (Exception error) when (error is OperationCanceledException or SandboxException
                                              && !cancellationToken.IsCancellationRequested && Volatile.Read(ref timedOut) == 1)
                {
                    // Killed at its timeout: however the stream ended, the outcome is the timeout.
                    break;
                }
                catch (Exception error) when (error is OperationCanceledException or SandboxException
                                              && !cancellationToken.IsCancellationRequested && stdinError is not null)
                {
                    // No end came after its stdin failed: the command is not one that exited first. It is killed below.
                    throw stdinError;
                }
                catch (SandboxException error) when (!cancellationToken.IsCancellationRequested)
                {
                    throw await ExplainAsync(sandboxId, user, error, cancellationToken).ConfigureAwait(false);
                }

                switch (e.EventCase)
                {
                    case ProcessEvent.EventOneofCase.Data when e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout:
                        if (stdout.Decode(e.Data.Stdout.Span) is { Length: > 0 } o)
                        {
                            yield return CommandEvent.Stdout(o);
                        }

                        break;
                    case ProcessEvent.EventOneofCase.Data when e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr:
                        if (stderr.Decode(e.Data.Stderr.Span) is { Length: > 0 } r)
                        {
                            yield return CommandEvent.Stderr(r);
                        }

                        break;
                    case ProcessEvent.EventOneofCase.End:
                        end = ProcessEnd.From(e.End);
                        break;
                }
            }

            if (end is not null)
            {
                await EnvdConnection.FinishAsync(events).ConfigureAwait(false);
            }
        }
        finally
        {
            if (deadline is not null)
            {
                await deadline.DisposeAsync().ConfigureAwait(false);
            }

            await events.DisposeAsync().ConfigureAwait(false);
            if (end is null && pid > 0 && Volatile.Read(ref timedOut) == 0)
            {
                // The caller stopped reading (or was cancelled): the command must not run on unseen.
                await KillTreeAsync(connection, pid).ConfigureAwait(false);
            }
        }

        if (stdout.Flush() is { Length: > 0 } lastOut)
        {
            yield return CommandEvent.Stdout(lastOut);
        }

        if (stderr.Flush() is { Length: > 0 } lastErr)
        {
            yield return CommandEvent.Stderr(lastErr);
        }

        if (Volatile.Read(ref timedOut) == 1 && end is not { Signal: null })
        {
            throw TimedOut(request.TimeoutSeconds!.Value, stdout.Tail, stderr.Tail);
        }

        yield return CommandEvent.Exited(end!.Value.ExitCode, end.Value.Error);
    }

    /// <summary>Reads the start event every process stream begins with; returns the pid.</summary>
    private async Task<int> ReadStartAsync(string sandboxId, string user, IAsyncEnumerator<ProcessEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                if (events.Current.EventCase == ProcessEvent.EventOneofCase.Start)
                {
                    return checked((int)events.Current.Start.Pid);
                }
            }
        }
        catch (SandboxException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw await ExplainAsync(sandboxId, user, error, cancellationToken).ConfigureAwait(false);
        }

        throw new ProviderException(ProviderId, "envd's stream ended before the process started.");
    }

    /// <summary>
    /// Refines an envd error: an unknown user is bad input (envd answers <c>unauthenticated</c>), a bad working directory
    /// or argument too; a sandbox that stopped answering is looked up to say whether it is gone or paused.
    /// </summary>
    private async Task<SandboxException> ExplainAsync(string sandboxId, string user, SandboxException error, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case UnauthorizedException when error.Message.Contains("username", StringComparison.OrdinalIgnoreCase):
                return new BadConfigException(ProviderId, $"The sandbox has no user '{user}': {error.Message}", error);
            case ProviderException { StatusCode: 400 }:
                return new BadConfigException(ProviderId, error.Message, error);
            case ProviderException { StatusCode: 502 or null }:
                return await ExplainUnreachableAsync(sandboxId, error, cancellationToken).ConfigureAwait(false);
            default:
                return error;
        }
    }

    /// <summary>The process of a command: <c>/bin/bash -l -c COMMAND</c>, as E2B's SDKs start commands.</summary>
    private ProcessConfig ProcessConfig(string command, string? cwd, IReadOnlyDictionary<string, string>? env)
    {
        var config = new ProcessConfig { Cmd = "/bin/bash", Cwd = E2BPaths.Absolute(cwd ?? _options.Workdir, _options.Workdir) };
        config.Args.Add("-l");
        config.Args.Add("-c");
        config.Args.Add(command);
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            config.Envs[key] = value;
        }

        return config;
    }

    /// <summary>
    /// Kills a process and its descendants through a short script run as root (envd's SendSignal reaches the one
    /// process). Best effort: a sandbox that is gone has nothing left to kill.
    /// </summary>
    private async Task KillTreeAsync(EnvdConnection connection, int pid)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await RunScriptAsync(connection, E2BScripts.KillTree(pid), "root", limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException)
        {
            // Nothing more can be done from here; envd's own deadline (the backstop) still applies.
        }
    }

    /// <summary>Runs a helper script to its end; returns its exit code and output.</summary>
    private static async Task<(ProcessEnd End, string Stdout, string Stderr)> RunScriptAsync(EnvdConnection connection, string script, string user,
        CancellationToken cancellationToken)
    {
        var config = new ProcessConfig { Cmd = "/bin/bash" };
        config.Args.Add("-c");
        config.Args.Add(script);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var options = new ConnectCallOptions { Headers = [EnvdConnection.UserHeader(user)] };
        var start = new StartRequest { Process = config, Stdin = false, Tag = HelperTag };
        ProcessEnd? end = null;
        await foreach (var e in connection.StartAsync(start, options, cancellationToken).ConfigureAwait(false))
        {
            switch (e.EventCase)
            {
                case ProcessEvent.EventOneofCase.Data:
                    (e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr ? stderr : stdout)
                        .Append((e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr ? e.Data.Stderr : e.Data.Stdout).ToStringUtf8());
                    break;
                case ProcessEvent.EventOneofCase.End:
                    // Read on to the end of the stream, so that its connection is reused.
                    end = ProcessEnd.From(e.End);
                    break;
            }
        }

        return end is { } ended
            ? (ended, stdout.ToString(), stderr.ToString())
            : throw new ProviderException(ProviderId, "envd's stream ended without the helper script's end.");
    }

    private static SandboxTimeoutException TimedOut(double seconds, string? stdout, string? stderr) =>
        new(ProviderId,
            $"The command exceeded its timeout of {seconds.ToString(CultureInfo.InvariantCulture)} s; it and every process it started were killed.",
            TimeSpan.FromSeconds(seconds), stdout, stderr);
}
