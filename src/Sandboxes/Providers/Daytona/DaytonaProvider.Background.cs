using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Sandboxes.CodeExecution;
using Sandboxes.Providers.Daytona.Toolbox;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// Background and streamed commands run in toolbox sessions: one session per command, named by the command's handle
/// (<c>sbx-</c> and the nonce of its control lines), so that any client holding the handle finds the session, its one
/// command, its logs and its input. Output comes through Daytona's session logs, which are line-based: a last line
/// without a newline gets one.
/// </summary>
internal sealed partial class DaytonaProvider
{
    private const string HandlePrefix = "sbx-";

    /// <summary>Starts the command in a session of its own and returns once the wrapper has reported the pid.</summary>
    public override async Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var nonce = Nonce.New();
        var input = request.KeepStdinOpen ? CommandScript.Input.Piped : CommandScript.Input.Fixed;
        var commandId = await StartInSessionAsync(sandboxId, nonce, request, input, cancellationToken).ConfigureAwait(false);
        var pid = await ReadPidAsync(sandboxId, HandlePrefix + nonce, commandId, nonce, cancellationToken).ConfigureAwait(false);
        return new CommandHandle(pid, HandlePrefix + nonce);
    }

    /// <summary>Waits for the command's exit (polling its status), then reads its logs.</summary>
    public override async Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        var nonce = NonceOf(handleId);
        var started = DateTimeOffset.UtcNow;
        var commandId = await CommandIdAsync(sandboxId, handleId, cancellationToken).ConfigureAwait(false);
        var delay = TimeSpan.FromMilliseconds(25);
        while (true)
        {
            var command = await InSandboxAsync(sandboxId, toolbox => toolbox.GetSessionCommandAsync(handleId, commandId, cancellationToken),
                notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
            if (command.ExitCode is not null)
            {
                break;
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(250, delay.TotalMilliseconds * 2));
        }

        var logs = await InSandboxAsync(sandboxId, toolbox => toolbox.GetSessionCommandLogsAsync(handleId, commandId, cancellationToken: cancellationToken),
            notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        var outcome = new CommandOutcome();
        var stdout = new StringBuilder();
        var parser = new ControlLineParser(nonce);
        parser.Feed(logs.Stdout ?? string.Empty, text => stdout.Append(text), outcome.Apply);
        parser.Flush(text => stdout.Append(text));
        var stderr = logs.Stderr ?? string.Empty;
        if (outcome.TimedOut)
        {
            throw outcome.TimeoutError(stdout.ToString(), stderr);
        }

        var exitCode = outcome.ExitCode ?? -1;
        return new CommandResult
        {
            Stdout = stdout.ToString(),
            Stderr = stderr,
            ExitCode = exitCode,
            Duration = DateTimeOffset.UtcNow - started,
            Error = outcome.ExitCode is null ? "The command's session ended before it reported an exit status." : ExitStatus.KilledBy(exitCode),
        };
    }

    /// <summary>Follows the session command's log over the toolbox's WebSocket, from its beginning.</summary>
    public override async IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var nonce = NonceOf(handleId);
        var commandId = await CommandIdAsync(sandboxId, handleId, cancellationToken).ConfigureAwait(false);
        await foreach (var e in FollowAsync(sandboxId, handleId, commandId, nonce, _ => { }, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>
    /// Runs the command in a session and follows it. Leaving early kills the command's process group (deleting a session
    /// would not reach it: the command has a group of its own); the session is deleted either way.
    /// </summary>
    public override async IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var nonce = Nonce.New();
        var handle = HandlePrefix + nonce;
        var commandId = await StartInSessionAsync(sandboxId, nonce, request, CommandScript.Input.Fixed, cancellationToken).ConfigureAwait(false);
        int? pid = null;
        var finished = false;
        try
        {
            await foreach (var e in FollowAsync(sandboxId, handle, commandId, nonce, p => pid = p, cancellationToken).ConfigureAwait(false))
            {
                finished = e.Kind == CommandEventKind.Exit;
                yield return e;
            }

            finished = true;
        }
        finally
        {
            await EndSessionAsync(sandboxId, handle, finished ? null : pid).ConfigureAwait(false);
        }
    }

    /// <summary>Feeds the command's stdin: each chunk goes as one base64 line, so bytes arrive exactly (the toolbox adds a newline to every input).</summary>
    public override async Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _ = NonceOf(handleId);
        var commandId = await CommandIdAsync(sandboxId, handleId, cancellationToken).ConfigureAwait(false);
        const int chunk = 48 * 1024;
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            var line = CommandScript.EncodeInput(data.Span.Slice(offset, Math.Min(chunk, data.Length - offset)));
            await SendInputAsync(sandboxId, handleId, commandId, line, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the close line; the command then reads end-of-file. Closing the stdin of an ended command is not an error.</summary>
    public override async Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        _ = NonceOf(handleId);
        var commandId = await CommandIdAsync(sandboxId, handleId, cancellationToken).ConfigureAwait(false);
        try
        {
            await SendInputAsync(sandboxId, handleId, commandId, CommandScript.CloseInputLine, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException error) when (error.StatusCode == 410)
        {
            // Gone: the command has ended, so its stdin is closed already.
        }
    }

    private Task SendInputAsync(string sandboxId, string handleId, string commandId, string line, CancellationToken cancellationToken) =>
        InSandboxAsync(sandboxId, toolbox => toolbox.SendInputAsync(handleId, commandId, new SessionSendInputRequest { Data = line }, cancellationToken),
            notFoundIsAnswer: false, cancellationToken);

    /// <summary>Creates the command's session and starts the wrapped command in it; returns the command's id.</summary>
    private async Task<string> StartInSessionAsync(string sandboxId, string nonce, RunCommandRequest request, CommandScript.Input input,
        CancellationToken cancellationToken)
    {
        var handle = HandlePrefix + nonce;
        var script = CommandScript.Build(nonce, request, CommandScript.Output.Stream, input);
        await InSandboxAsync(sandboxId, toolbox => toolbox.CreateSessionAsync(new CreateSessionRequest { SessionId = handle }, cancellationToken),
            notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var started = await InSandboxAsync(sandboxId, toolbox => toolbox.SessionExecuteCommandAsync(handle, new SessionExecuteRequest
            {
                Command = script,
                RunAsync = true,
                // The input lines are base64 for the wrapper, not output: the daemon must not echo them into the log.
                SuppressInputEcho = true,
            }, cancellationToken), notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
            return started.CmdId;
        }
        catch
        {
            await EndSessionAsync(sandboxId, handle, null).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the session command's log until the wrapper's pid line appears.</summary>
    private async Task<int> ReadPidAsync(string sandboxId, string handleId, string commandId, string nonce, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _options.StateTimeout;
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var logs = await InSandboxAsync(sandboxId, toolbox => toolbox.GetSessionCommandLogsAsync(handleId, commandId, cancellationToken: cancellationToken),
                notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
            var outcome = new CommandOutcome();
            new ControlLineParser(nonce).Feed(logs.Stdout ?? string.Empty, _ => { }, outcome.Apply);
            if (outcome.Pid is { } pid)
            {
                return pid;
            }

            if (outcome.ExitCode is not null || DateTimeOffset.UtcNow > deadline)
            {
                throw new ProviderException(ProviderId, $"The background command did not start: {Tail(logs.Stderr)}");
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>The id of the one command in a handle's session.</summary>
    private async Task<string> CommandIdAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        _ = NonceOf(handleId);
        Session session;
        try
        {
            session = await InSandboxAsync(sandboxId, toolbox => toolbox.GetSessionAsync(handleId, cancellationToken), notFoundIsAnswer: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException e)
        {
            throw new NotFoundException(ProviderId, $"Daytona sandbox {sandboxId} has no background command '{handleId}'.", e);
        }

        return session.Commands.FirstOrDefault()?.Id
               ?? throw new NotFoundException(ProviderId, $"Daytona sandbox {sandboxId} has no background command '{handleId}'.");
    }

    /// <summary>
    /// Follows a session command's log: the WebSocket sends the log from its start and closes when the command ends. A
    /// dropped connection is resumed (the bytes already seen are skipped); the exit comes from the wrapper's control line.
    /// </summary>
    private async IAsyncEnumerable<CommandEvent> FollowAsync(string sandboxId, string handleId, string commandId, string nonce,
        Action<int> onPid, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var toolbox = await ToolboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var uri = toolbox.WebSocketUri($"/process/session/{Uri.EscapeDataString(handleId)}/command/{Uri.EscapeDataString(commandId)}/logs?follow=true");
        var reader = new SessionLogReader(nonce);
        long seen = 0;
        var buffer = new byte[64 * 1024];
        var idleReconnects = 0;
        for (var attempt = 0; ; attempt++)
        {
            var seenBefore = seen;
            var connectedAt = Stopwatch.GetTimestamp();
            using var socket = new ClientWebSocket();
            foreach (var (name, value) in toolbox.Headers)
            {
                socket.Options.SetRequestHeader(name, value);
            }

            await ConnectAsync(socket, uri, sandboxId, cancellationToken).ConfigureAwait(false);
            long position = 0;
            var closed = false;
            while (!closed)
            {
                var events = new List<CommandEvent>();
                try
                {
                    var received = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        closed = true;
                    }
                    else
                    {
                        // Skip what an earlier connection already delivered.
                        var skip = (int)Math.Clamp(seen - position, 0, received.Count);
                        position += received.Count;
                        if (skip < received.Count)
                        {
                            seen += received.Count - skip;
                            reader.Feed(buffer.AsSpan(skip, received.Count - skip), events);
                        }
                    }
                }
                catch (WebSocketException)
                {
                    closed = true;
                }

                foreach (var e in events)
                {
                    yield return e;
                }

                if (reader.Outcome.Pid is { } pid)
                {
                    onPid(pid);
                }

                if (reader.Outcome.ExitCode is not null)
                {
                    foreach (var e in reader.Finish())
                    {
                        yield return e;
                    }

                    yield break;
                }
            }

            // Closed without the wrapper's exit line: either the command's session died, or the connection dropped.
            var command = await InSandboxAsync(sandboxId, client => client.GetSessionCommandAsync(handleId, commandId, cancellationToken),
                notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
            if (command.ExitCode is { } code && attempt > 0)
            {
                foreach (var e in reader.Finish())
                {
                    yield return e;
                }

                yield return CommandEvent.Exited((int)code, "The command's session ended before it reported an exit status.");
                yield break;
            }

            // A connection that keeps closing at once without delivering anything is a broken stream. A silent command
            // whose connection lived a while (cut by an idle timeout on the way) is only slow, and is followed on.
            var quickAndEmpty = seen == seenBefore && Stopwatch.GetElapsedTime(connectedAt) < TimeSpan.FromSeconds(2);
            idleReconnects = quickAndEmpty ? idleReconnects + 1 : 0;
            if (idleReconnects > 10)
            {
                throw new ProviderException(ProviderId, $"The log of background command {handleId} keeps closing without output; the toolbox's log stream is broken.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Min(10, attempt + 1)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the command's process group if it may still run, then deletes its session; failures are ignored.</summary>
    private async Task EndSessionAsync(string sandboxId, string handleId, int? pidToKill)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            if (pidToKill is { } pid)
            {
                await InSandboxAsync(sandboxId, toolbox => toolbox.ExecuteCommandAsync(new ExecuteRequest
                {
                    Command = $"kill -KILL -{pid} 2>/dev/null; true",
                    Timeout = 10,
                }, timeout.Token), notFoundIsAnswer: false, timeout.Token).ConfigureAwait(false);
            }

            await InSandboxAsync(sandboxId, toolbox => toolbox.DeleteSessionAsync(handleId, timeout.Token), notFoundIsAnswer: true, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception error) when (error is SandboxException or OperationCanceledException)
        {
            // Best effort: the session holds only an idle shell, which ends with the sandbox.
        }
    }

    /// <summary>Opens a toolbox WebSocket; a refused upgrade is diagnosed like any failed toolbox call.</summary>
    private async Task ConnectAsync(ClientWebSocket socket, Uri uri, string sandboxId, CancellationToken cancellationToken)
    {
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            var status = (int)socket.HttpStatusCode;
            SandboxException error = status switch
            {
                401 or 403 => new UnauthorizedException(ProviderId, $"HTTP {status}: the toolbox refused the WebSocket {uri.AbsolutePath}.", e),
                404 => new NotFoundException(ProviderId, $"HTTP 404: the toolbox has no {uri.AbsolutePath}.", e),
                _ => new ProviderException(ProviderId, $"The toolbox WebSocket {uri.AbsolutePath} could not be opened (HTTP {status}).",
                    status == 0 ? null : status, innerException: e),
            };
            throw await DiagnoseAsync(sandboxId, error, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The nonce of a handle id; anything that is not one of this provider's handles is unknown.</summary>
    private static string NonceOf(string handleId) =>
        HandlePattern().Match(handleId ?? string.Empty) is { Success: true } match
            ? match.Groups[1].Value
            : throw new NotFoundException(ProviderId, $"There is no background command '{handleId}' (Daytona handles look like sbx-0123456789abcdef).");

    [GeneratedRegex(@"^sbx-([0-9a-f]{16})\z")]
    private static partial Regex HandlePattern();
}
