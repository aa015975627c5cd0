using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sandboxes.Providers;

namespace Sandboxes.Remote;

/// <summary>
/// Background commands: a wrapper script starts the command with its output going to files in its handle's directory and
/// writes its status when it ends; a watchdog in the sandbox enforces its timeout; any client follows the files.
/// </summary>
internal abstract partial class RemoteProcessProvider
{
    // How many followers in a row may die before following a command is given up.
    private const int FollowAttempts = 5;

    // Bounds of the stdin machinery, so that a sandbox that stops answering cannot hold a write, a close or a disposal
    // for ever: a writer's start (launch and its "ok"), a writer's end once its own stdin is closed (it has copied what
    // it was given), and the close script (it kills the holder and every writer, whoever started them).
    private static readonly TimeSpan StdinWriterStartLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StdinWriterEndLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StdinCloseLimit = TimeSpan.FromSeconds(30);

    // This client's writers to the kept stdin of background commands (each a StdinWriter process), and a gate per
    // command that keeps one write (or close) at a time, so that requests are never interleaved; a slow command holds up
    // only its own stdin.
    private readonly ConcurrentDictionary<(string Sandbox, string Handle), StdinWriter> _stdinWriters = new();
    private readonly ConcurrentDictionary<(string Sandbox, string Handle), SemaphoreSlim> _stdinGates = new();

    public override async Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        await ValidateCommandAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        var handle = NewNonce();
        var timeout = request.TimeoutSeconds?.ToString("0.###", CultureInfo.InvariantCulture) ?? string.Empty;
        var keepStdin = request.KeepStdinOpen || request.Stdin is not null;
        var launch = new ProcessLaunch
        {
            Argv =
            [
                "/bin/sh", "-c", KitScripts.Start, "sandboxes-start", HandleDir(handle), request.Cmd, timeout, handle, KitScripts.Watchdog, CommandShell,
                keepStdin ? "1" : "0",
            ],
            Env = WithKitVariables(request.Env, (KitScripts.ExecVariable, handle), (KitScripts.HandleVariable, handle), (KitScripts.HelperVariable, "1")),
            User = request.User,
            Cwd = request.Cwd,
            HandleId = handle,
        };
        int pid;
        var process = await LaunchAsync(sandboxId, launch, cancellationToken).ConfigureAwait(false);
        await using (process.ConfigureAwait(false))
        {
            // The wrapper prints the pid and nothing more; the command's output goes to files.
            pid = await ReadPidAsync(process, cancellationToken).ConfigureAwait(false);
        }

        if (request.Stdin is { } text)
        {
            await WriteStdinAsync(sandboxId, handle, Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            if (!request.KeepStdinOpen)
            {
                await CloseStdinAsync(sandboxId, handle, cancellationToken).ConfigureAwait(false);
            }
        }

        return new CommandHandle(pid, handle);
    }

    public override async Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var output = new CommandOutput();
        await foreach (var _ in FollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false))
        {
        }

        var status = await EndOfFollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false);
        return new CommandResult
        {
            Stdout = output.Stdout.ToString(), Stderr = output.Stderr.ToString(), ExitCode = status.ExitCode,
            Duration = DateTimeOffset.UtcNow - started, OutOfMemory = status.OutOfMemory,
            Error = await DescribeExitAsync(sandboxId, status.ExitCode, status.OutOfMemory, cancellationToken).ConfigureAwait(false),
        };
    }

    public override async IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var output = new CommandOutput();
        await foreach (var e in FollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }

        var status = await EndOfFollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false);
        yield return CommandEvent.Exited(status.ExitCode,
            await DescribeExitAsync(sandboxId, status.ExitCode, status.OutOfMemory, cancellationToken).ConfigureAwait(false));
    }

    public override async Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!IsHandleId(handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }

        var gate = StdinGate(sandboxId, handleId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = await StdinWriterAsync(sandboxId, handleId, cancellationToken).ConfigureAwait(false);
            try
            {
                await writer.Process.WriteStdinAsync(data, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or SandboxException
                                          && !cancellationToken.IsCancellationRequested)
            {
                await DropStdinWriterAsync(sandboxId, handleId).ConfigureAwait(false);
                throw new SandboxStateException(Name, sandboxId, SandboxStatus.Stopped, $"The stdin of command {handleId} is closed: {e.Message}");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public override async Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        if (!IsHandleId(handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }

        var gate = StdinGate(sandboxId, handleId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // This client's writer first ends on its own, so that what it was given reaches the command before stdin closes.
            if (_stdinWriters.TryRemove((sandboxId, handleId), out var writer))
            {
                await EndStdinWriterAsync(writer, cancellationToken).ConfigureAwait(false);
            }

            // Then the holder and every other writer go, so the command reads end of input. Closing what is already closed
            // (or what ended) is not an error.
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(StdinCloseLimit);
            try
            {
                await RunHelperAsync(sandboxId, KitScripts.StdinClose, [HandleDir(handleId), handleId], asRoot: true, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ProviderException(Name,
                    $"Closing the stdin of command {handleId} did not finish within {StdinCloseLimit.TotalSeconds:0} s; the sandbox does not answer.");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Lets go of this client's writers, each once it has delivered what it was given (bounded), so that a command whose
    /// stdin stays open for other clients still reads everything this client wrote, in order.
    /// </summary>
    private async Task ReleaseStdinWritersAsync()
    {
        var writers = new List<StdinWriter>();
        foreach (var key in _stdinWriters.Keys.ToList())
        {
            if (_stdinWriters.TryRemove(key, out var writer))
            {
                writers.Add(writer);
            }
        }

        await Task.WhenAll(writers.Select(writer => EndStdinWriterAsync(writer, CancellationToken.None))).ConfigureAwait(false);
        foreach (var gate in _stdinGates.Values)
        {
            gate.Dispose();
        }

        _stdinGates.Clear();
    }

    /// <summary>
    /// Closes a writer's own stdin and waits until it has copied what it was given and ended (bounded: past the limit, a
    /// close of the command's stdin or the command's end kills it), then disconnects from it.
    /// </summary>
    private async Task EndStdinWriterAsync(StdinWriter writer, CancellationToken cancellationToken)
    {
        await using (writer.Process.ConfigureAwait(false))
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(StdinWriterEndLimit);
            try
            {
                await writer.Process.CloseStdinAsync(limit.Token).ConfigureAwait(false);
                await writer.Ended.WaitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SandboxException or OperationCanceledException
                                          && !cancellationToken.IsCancellationRequested)
            {
                // Gone already, or past the limit.
            }
        }
    }

    /// <summary>The gate of one command's stdin.</summary>
    private SemaphoreSlim StdinGate(string sandboxId, string handleId) => _stdinGates.GetOrAdd((sandboxId, handleId), _ => new SemaphoreSlim(1, 1));

    /// <summary>This client's writer to a command's kept stdin, started on first use.</summary>
    private async Task<StdinWriter> StdinWriterAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        if (_stdinWriters.TryGetValue((sandboxId, handleId), out var writer))
        {
            return writer;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StdinWriterStartLimit);
        RemoteProcess process;
        try
        {
            process = await LaunchHelperAsync(sandboxId, KitScripts.StdinWriter, [HandleDir(handleId)], asRoot: true, "stdin-" + handleId,
                stdin: true, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw StdinWriterLate(handleId);
        }

        try
        {
            // "ok" once the FIFO is open; nothing when the command keeps no stdin or has ended.
            var said = new StringBuilder();
            try
            {
                while (said.Length < 3 && await process.ReadAsync(limit.Token).ConfigureAwait(false) is { } chunk)
                {
                    said.Append(Encoding.UTF8.GetString(chunk.Bytes.Span));
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw StdinWriterLate(handleId);
            }

            if (!said.ToString().StartsWith("ok\n", StringComparison.Ordinal))
            {
                throw new NotFoundException(Name,
                    $"Command {handleId} of sandbox {sandboxId} has no open stdin: it was not started with KeepStdinOpen, its stdin was closed, or it has ended.");
            }
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        writer = new StdinWriter(process, WatchWriterAsync(sandboxId, handleId, process));
        _stdinWriters[(sandboxId, handleId)] = writer;
        return writer;
    }

    /// <summary>Reads a writer's output to its end (it ends with the command, or when stdin is closed), then forgets it.</summary>
    private async Task WatchWriterAsync(string sandboxId, string handleId, RemoteProcess process)
    {
        try
        {
            while (await process.ReadAsync(CancellationToken.None).ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SandboxException
                                      or System.Net.Sockets.SocketException)
        {
        }

        if (_stdinWriters.TryGetValue((sandboxId, handleId), out var current) && ReferenceEquals(current.Process, process)
            && _stdinWriters.TryRemove(new KeyValuePair<(string, string), StdinWriter>((sandboxId, handleId), current)))
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task DropStdinWriterAsync(string sandboxId, string handleId)
    {
        if (_stdinWriters.TryRemove((sandboxId, handleId), out var writer))
        {
            await writer.Process.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Yields a background command's output from its start until its status is written. The follower is a process of its
    /// own; when it dies before the end (a command that uses all of the sandbox's memory can take it down with it),
    /// another resumes at the byte where it stopped.
    /// </summary>
    private async IAsyncEnumerable<CommandEvent> FollowAsync(string sandboxId, string handleId, CommandOutput output,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!IsHandleId(handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }

        for (var attempt = 1; ; attempt++)
        {
            var nonce = NewNonce();
            var process = await LaunchHelperAsync(sandboxId, KitScripts.Follow,
                [HandleDir(handleId), output.StdoutBytes.ToString(CultureInfo.InvariantCulture), output.StderrBytes.ToString(CultureInfo.InvariantCulture)],
                asRoot: true, nonce, stdin: false, cancellationToken).ConfigureAwait(false);
            var run = new CommandRun(Name, process, null, null, null,
                signal => KillTreeAsync(sandboxId, nonce, signal),
                (_, _, _) => Task.FromResult<string?>(null),
                output);
            int? exitCode = null;
            await using (run.ConfigureAwait(false))
            {
                while (await run.NextAsync(cancellationToken).ConfigureAwait(false) is { } e)
                {
                    if (e.Kind == CommandEventKind.Exit)
                    {
                        exitCode = e.ExitCode;
                        break;
                    }

                    yield return e;
                }
            }

            if (exitCode == 0)
            {
                break;
            }

            if (exitCode == KitScripts.NotFoundExit)
            {
                throw UnknownHandle(sandboxId, handleId);
            }

            if (attempt == FollowAttempts)
            {
                throw new ProviderException(Name, $"Following command {handleId} failed {attempt} times (last exit {exitCode}): {output.Stderr}");
            }
        }

        var (stdout, stderr) = output.Flush();
        if (stdout.Length > 0)
        {
            yield return CommandEvent.Stdout(stdout);
        }

        if (stderr.Length > 0)
        {
            yield return CommandEvent.Stderr(stderr);
        }
    }

    /// <summary>Reads the status a background command left when its output ended.</summary>
    private async Task<BackgroundStatus> EndOfFollowAsync(string sandboxId, string handleId, CommandOutput output, CancellationToken cancellationToken)
    {
        var status = BackgroundStatus.Parse(Name, Encoding.UTF8.GetString(
            await ReadSmallFileAsync(sandboxId, HandleDir(handleId) + "/status", cancellationToken).ConfigureAwait(false)));
        if (status.TimedOut)
        {
            var timeout = TimeSpan.FromSeconds(status.Timeout ?? 0);
            throw new SandboxTimeoutException(Name,
                $"Command {handleId} did not finish within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; it was killed with every process it started.",
                timeout, output.Stdout.ToString(), output.Stderr.ToString());
        }

        return status;
    }

    /// <summary>Reads the one line the wrapper prints: the command's pid.</summary>
    private async Task<int> ReadPidAsync(RemoteProcess process, CancellationToken cancellationToken)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        while (await process.ReadAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
        {
            (chunk.IsStderr ? stderr : stdout).Append(Encoding.UTF8.GetString(chunk.Bytes.Span));
            var text = stdout.ToString();
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                return int.TryParse(text[..newline], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    ? pid
                    : throw new ProviderException(Name, $"The background wrapper printed '{text[..newline]}' instead of a pid.");
            }
        }

        var exitCode = await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        throw new SandboxIOException(Name, KitScripts.CommandsDir, $"the background command could not start (exit {exitCode}): {stderr.ToString().Trim()}");
    }

    private async Task DropStdinOfAsync(string sandboxId)
    {
        foreach (var key in _stdinWriters.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            await DropStdinWriterAsync(key.Sandbox, key.Handle).ConfigureAwait(false);
        }

        // The sandbox is going: its commands' gates are not needed again (not disposed: a call may still hold one).
        foreach (var key in _stdinGates.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            _stdinGates.TryRemove(key, out _);
        }
    }

    private ProviderException StdinWriterLate(string handleId) =>
        new(Name, $"The writer to the stdin of command {handleId} did not start within {StdinWriterStartLimit.TotalSeconds:0} s; the sandbox does not answer.");

    /// <summary>A writer process and the task that ends when it does.</summary>
    private sealed record StdinWriter(RemoteProcess Process, Task Ended);

    private NotFoundException UnknownHandle(string sandboxId, string handleId) =>
        new(Name, $"Sandbox {sandboxId} has no background command with the handle '{handleId}'.");
}
