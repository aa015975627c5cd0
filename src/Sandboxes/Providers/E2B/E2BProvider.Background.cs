using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Refit;
using Sandboxes.Http;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Providers.E2B;

internal sealed partial class E2BProvider
{
    private readonly ConcurrentDictionary<(string SandboxId, string HandleId), BackgroundCommand> _commands = new();

    public override async Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        ValidateEnvironment(request.Env);
        var connection = await EnvdAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var user = request.User ?? _options.User;
        var handleId = E2BScripts.NewHandleId();
        var start = new StartRequest
        {
            Process = ProcessConfig(E2BScripts.Background(handleId, user, request.Cmd), request.Cwd, request.Env),
            Tag = handleId,
            Stdin = request.KeepStdinOpen,
        };
        TimeSpan? timeout = request.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        var options = new ConnectCallOptions { Headers = [EnvdConnection.UserHeader(user), KeepaliveHeader], ServerTimeout = timeout + ServerBackstop };

        // The stream stays open for the command's life (it is how this client learns exactly how it ended); it closes
        // with the adapter. The caller's token cancels only the wait for the command to start.
        var stream = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        var events = connection.StartAsync(start, options, stream.Token).GetAsyncEnumerator(stream.Token);
        int pid;
        try
        {
            using (cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), stream))
            {
                pid = await ReadStartAsync(sandboxId, user, events, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            stream.Dispose();
            throw;
        }

        var command = new BackgroundCommand(sandboxId, handleId, pid, user, request.TimeoutSeconds);
        _commands[(sandboxId, handleId)] = command;
        command.Pump = PumpAsync(connection, command, events, stream);
        if (request.TimeoutSeconds is { } limit)
        {
            // Enforced in the sandbox, so that it holds when no client is connected any more.
            await StartHelperAsync(connection, E2BScripts.Watchdog(handleId, pid, limit), "root", cancellationToken).ConfigureAwait(false);
        }

        return new CommandHandle(pid, handleId);
    }

    public override async Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        if (!E2BScripts.IsHandleId(handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }

        if (_commands.TryGetValue((sandboxId, handleId), out var command)
            && await command.Ended.WaitAsync(cancellationToken).ConfigureAwait(false) is { } end)
        {
            // This client saw the end: the output is complete in the command's files.
            return await OnEnvdAsync(sandboxId, async connection =>
            {
                var stdout = await ReadTextAsync(connection, E2BScripts.CommandDir(handleId) + "/stdout", command.User, cancellationToken).ConfigureAwait(false) ?? string.Empty;
                var stderr = await ReadTextAsync(connection, E2BScripts.CommandDir(handleId) + "/stderr", command.User, cancellationToken).ConfigureAwait(false) ?? string.Empty;
                return command.TimedOutBy(end)
                    ? throw TimedOut(command.TimeoutSeconds!.Value, stdout, stderr)
                    : new CommandResult { Stdout = stdout, Stderr = stderr, ExitCode = end.ExitCode, Error = end.Error, Duration = DateTimeOffset.UtcNow - started };
            }, cancellationToken).ConfigureAwait(false);
        }

        var stdoutText = new StringBuilder();
        var stderrText = new StringBuilder();
        int? exitCode = null;
        string? error = null;
        try
        {
            await foreach (var e in AttachCommandAsync(sandboxId, handleId, cancellationToken).ConfigureAwait(false))
            {
                switch (e.Kind)
                {
                    case CommandEventKind.Stdout:
                        stdoutText.Append(e.Text);
                        break;
                    case CommandEventKind.Stderr:
                        stderrText.Append(e.Text);
                        break;
                    case CommandEventKind.Exit:
                        exitCode = e.ExitCode;
                        error = e.Error;
                        break;
                }
            }
        }
        catch (SandboxTimeoutException e)
        {
            throw new SandboxTimeoutException(ProviderId, e.Message, e.Timeout, stdoutText.ToString(), stderrText.ToString());
        }

        return new CommandResult
        {
            Stdout = stdoutText.ToString(), Stderr = stderrText.ToString(), ExitCode = exitCode ?? 0, Error = error, Duration = DateTimeOffset.UtcNow - started,
        };
    }

    public override async IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!E2BScripts.IsHandleId(handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }

        var connection = await EnvdAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        _commands.TryGetValue((sandboxId, handleId), out var command);
        var user = command?.User ?? _options.User;
        if (command is null)
        {
            await EnsureCommandExistsAsync(sandboxId, connection, handleId, cancellationToken).ConfigureAwait(false);
        }

        // The follower prints the command's files from their first byte and follows them while its process lives.
        var config = new ProcessConfig { Cmd = "/bin/bash" };
        config.Args.Add("-c");
        config.Args.Add(E2BScripts.Follow(handleId));
        var options = new ConnectCallOptions { Headers = [EnvdConnection.UserHeader(user), KeepaliveHeader] };
        var stdout = new OutputDecoder(keepTail: false);
        var stderr = new OutputDecoder(keepTail: false);
        await foreach (var e in connection.StartAsync(new StartRequest { Process = config, Stdin = false, Tag = HelperTag }, options, cancellationToken)
                           .ConfigureAwait(false))
        {
            if (e.EventCase != ProcessEvent.EventOneofCase.Data)
            {
                continue;
            }

            if (e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout && stdout.Decode(e.Data.Stdout.Span) is { Length: > 0 } o)
            {
                yield return CommandEvent.Stdout(o);
            }
            else if (e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr && stderr.Decode(e.Data.Stderr.Span) is { Length: > 0 } r)
            {
                yield return CommandEvent.Stderr(r);
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

        var (end, timedOut, timeout) = command is not null && await command.Ended.WaitAsync(cancellationToken).ConfigureAwait(false) is { } seen
            ? (seen, command.TimedOutBy(seen), command.TimeoutSeconds)
            : await ReadRecordAsync(connection, handleId, user, cancellationToken).ConfigureAwait(false);
        if (timedOut)
        {
            throw TimedOut(timeout ?? 0, null, null);
        }

        yield return CommandEvent.Exited(end.ExitCode, end.Error);
    }

    public override Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        OnEnvdAsync(sandboxId, c => c.SendInputAsync(Selector(sandboxId, handleId), new ProcessInput { Stdin = ByteString.CopyFrom(data.Span) }, cancellationToken),
            cancellationToken);

    public override Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        OnEnvdAsync(sandboxId, c => c.CloseStdinAsync(Selector(sandboxId, handleId), cancellationToken), cancellationToken);

    public override Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken) =>
        OnEnvdAsync(sandboxId, async connection =>
        {
            if (signal is ProcessSignal.Kill or ProcessSignal.Terminate)
            {
                await connection.SendSignalAsync(EnvdConnection.ByPid(pid), signal == ProcessSignal.Kill ? Signal.Sigkill : Signal.Sigterm, cancellationToken)
                    .ConfigureAwait(false);
                return;
            }

            // envd's SendSignal offers only SIGTERM and SIGKILL: other signals go through kill(1).
            var (end, _, stderr) = await RunScriptAsync(connection, E2BScripts.Signal(pid, (int)signal), "root", cancellationToken).ConfigureAwait(false);
            if (end.ExitCode != 0)
            {
                throw stderr.Contains("No such process", StringComparison.OrdinalIgnoreCase)
                    ? new NotFoundException(ProviderId, $"The sandbox {sandboxId} has no process {pid}.")
                    : new ProviderException(ProviderId, $"Signalling process {pid} failed: {stderr.Trim()}");
            }
        }, cancellationToken);

    public override Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) =>
        OnEnvdAsync<IReadOnlyList<ProcessInfo>>(sandboxId, async connection =>
        {
            var processes = await connection.ListAsync(cancellationToken).ConfigureAwait(false);
            return processes.Where(p => p.Tag != HelperTag).Select(Describe).OrderBy(p => p.Pid).ToList();
        }, cancellationToken);

    /// <summary>Reads a background command's stream to its end event, then leaves the record in its directory for other clients.</summary>
    private async Task PumpAsync(EnvdConnection connection, BackgroundCommand command, IAsyncEnumerator<ProcessEvent> events, CancellationTokenSource stream)
    {
        ProcessEnd? end = null;
        try
        {
            while (end is null && await events.MoveNextAsync().ConfigureAwait(false))
            {
                if (events.Current.EventCase == ProcessEvent.EventOneofCase.End)
                {
                    end = ProcessEnd.From(events.Current.End);
                }
            }

            if (end is not null)
            {
                await EnvdConnection.FinishAsync(events).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException)
        {
            // The stream was lost (or the adapter closed): the command's own files remain the record.
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
            stream.Dispose();
            command.End(end);
        }

        if (end is { } seen && !_disposed.IsCancellationRequested)
        {
            var record = command.TimedOutBy(seen) ? "timeout " + command.TimeoutSeconds!.Value.ToString(CultureInfo.InvariantCulture)
                : seen.Signal is { } signal ? "signal " + signal.ToString(CultureInfo.InvariantCulture)
                : "exit " + seen.ExitCode.ToString(CultureInfo.InvariantCulture);
            try
            {
                using var bytes = new MemoryStream(Encoding.UTF8.GetBytes(record + "\n"));
                await connection.Files.PostFilesAsync(E2BScripts.CommandDir(command.HandleId) + "/end", command.User,
                    file: new StreamPart(bytes, "end"), cancellationToken: _disposed.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SandboxException or OperationCanceledException)
            {
                // Best effort: without it, other clients read the exit status the command's shell recorded.
            }
        }
    }

    private async Task StopBackgroundPumpsAsync()
    {
        foreach (var command in _commands.Values)
        {
            if (command.Pump is { } pump)
            {
                await pump.ConfigureAwait(false);
            }
        }

        _commands.Clear();
    }

    /// <summary>Starts a helper script and leaves it running (closing its stream does not stop a process in envd).</summary>
    private static async Task StartHelperAsync(EnvdConnection connection, string script, string user, CancellationToken cancellationToken)
    {
        var config = new ProcessConfig { Cmd = "/bin/bash" };
        config.Args.Add("-c");
        config.Args.Add(script);
        var options = new ConnectCallOptions { Headers = [EnvdConnection.UserHeader(user)] };
        await foreach (var e in connection.StartAsync(new StartRequest { Process = config, Stdin = false, Tag = HelperTag }, options, cancellationToken)
                           .ConfigureAwait(false))
        {
            if (e.EventCase == ProcessEvent.EventOneofCase.Start)
            {
                return;
            }
        }
    }

    /// <summary>How a command another client started ended, from its directory: the end record, else its shell's exit status.</summary>
    private async Task<(ProcessEnd End, bool TimedOut, double? Timeout)> ReadRecordAsync(EnvdConnection connection, string handleId, string user,
        CancellationToken cancellationToken)
    {
        var dir = E2BScripts.CommandDir(handleId);
        var record = (await ReadTextAsync(connection, dir + "/end", user, cancellationToken).ConfigureAwait(false))?.Trim();
        var parts = record?.Split(' ', 2);
        switch (parts)
        {
            case ["timeout", var t]:
                return (new ProcessEnd(137, 9), true, double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null);
            case ["signal", var n] when int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var signal):
                return (new ProcessEnd(128 + signal, signal), false, null);
            case ["exit", var n] when int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code):
                return (new ProcessEnd(code, null), false, null);
        }

        var exit = (await ReadTextAsync(connection, dir + "/exit", user, cancellationToken).ConfigureAwait(false))?.Trim();
        if (int.TryParse(exit, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exitCode))
        {
            return (new ProcessEnd(exitCode, null), false, null);
        }

        // Its shell was killed before it could record anything, and the client that saw its end did not say.
        return (new ProcessEnd(137, 9), false, null);
    }

    private async Task EnsureCommandExistsAsync(string sandboxId, EnvdConnection connection, string handleId, CancellationToken cancellationToken)
    {
        try
        {
            await connection.StatAsync(E2BScripts.CommandDir(handleId), ConnectCallOptions.None, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (NotFoundException)
        {
        }
        catch (SandboxException error)
        {
            throw await ExplainAsync(sandboxId, _options.User, error, cancellationToken).ConfigureAwait(false);
        }

        // Started an instant ago, its directory may not exist yet: its process would.
        var processes = await connection.ListAsync(cancellationToken).ConfigureAwait(false);
        if (!processes.Any(p => p.Tag == handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }
    }

    private static async Task<string?> ReadTextAsync(EnvdConnection connection, string path, string user, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await connection.Files.GetFilesAsync(path, user, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private ProcessSelector Selector(string sandboxId, string handleId)
    {
        if (E2BScripts.IsHandleId(handleId))
        {
            return EnvdConnection.ByTag(handleId);
        }

        throw UnknownHandle(sandboxId, handleId);
    }

    private static ProcessInfo Describe(Rpc.Process.ProcessInfo process)
    {
        IList<string> args = process.Config is { } config ? config.Args : [];
        var tag = process.HasTag ? process.Tag : null;
        if (args.Count == 3 && args[0] == "-l" && args[1] == "-c")
        {
            return E2BScripts.TryReadBackground(args[2], out var command, out var user)
                ? new ProcessInfo((int)process.Pid, command, user) { HandleId = tag }
                : new ProcessInfo((int)process.Pid, args[2], string.Empty) { HandleId = tag };
        }

        var line = string.Join(' ', new[] { process.Config?.Cmd ?? string.Empty }.Concat(args));
        return new ProcessInfo((int)process.Pid, line, string.Empty) { HandleId = tag };
    }

    private static NotFoundException UnknownHandle(string sandboxId, string handleId) =>
        new(ProviderId, $"The sandbox {sandboxId} has no background command '{handleId}'.");
}
