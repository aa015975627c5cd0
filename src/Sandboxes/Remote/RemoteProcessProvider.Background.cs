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

    // This client's writers to the kept stdin of background commands (each a StdinWriter process), and the gate that
    // keeps one write (or close) at a time, so that requests are never interleaved.
    private readonly ConcurrentDictionary<(string Sandbox, string Handle), StdinWriter> _stdinWriters = new();
    private readonly SemaphoreSlim _stdinGate = new(1, 1);

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

        await _stdinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
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
            _stdinGate.Release();
        }
    }

    public override async Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        if (!IsHandleId(handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }

        await _stdinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // This client's writer first ends on its own, so that what it was given reaches the command before stdin closes.
            if (_stdinWriters.TryRemove((sandboxId, handleId), out var writer))
            {
                await using (writer.Process.ConfigureAwait(false))
                {
                    try
                    {
                        await writer.Process.CloseStdinAsync(cancellationToken).ConfigureAwait(false);
                        await writer.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or SandboxException && !cancellationToken.IsCancellationRequested)
                    {
                        // Gone already: the close below still ends the others.
                    }
                }
            }

            // Closing what is already closed (or what ended) is not an error.
            await RunHelperAsync(sandboxId, KitScripts.StdinClose, [HandleDir(handleId), handleId], asRoot: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _stdinGate.Release();
        }
    }

    /// <summary>This client's writer to a command's kept stdin, started on first use.</summary>
    private async Task<StdinWriter> StdinWriterAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        if (_stdinWriters.TryGetValue((sandboxId, handleId), out var writer))
        {
            return writer;
        }

        var process = await LaunchHelperAsync(sandboxId, KitScripts.StdinWriter, [HandleDir(handleId)], asRoot: true, "stdin-" + handleId,
            stdin: true, cancellationToken).ConfigureAwait(false);
        try
        {
            // "ok" once the FIFO is open; nothing when the command keeps no stdin or has ended.
            var said = new StringBuilder();
            while (said.Length < 3 && await process.ReadAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
            {
                said.Append(Encoding.UTF8.GetString(chunk.Bytes.Span));
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
    }

    /// <summary>A writer process and the task that ends when it does.</summary>
    private sealed record StdinWriter(RemoteProcess Process, Task Ended);

    private NotFoundException UnknownHandle(string sandboxId, string handleId) =>
        new(Name, $"Sandbox {sandboxId} has no background command with the handle '{handleId}'.");
}
