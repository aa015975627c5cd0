using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sandboxes.Providers.Docker;

/// <summary>Commands: foreground execs with their multiplexed output, background commands with output in files.</summary>
internal sealed partial class DockerProvider
{
    // Stdin of background commands started with KeepStdinOpen: the taken-over connection of their exec, held by this client.
    private readonly ConcurrentDictionary<(string Sandbox, string Handle), HijackedConnection> _stdinHolders = new();

    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var run = await StartRunAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        await using (run.ConfigureAwait(false))
        {
            while (await run.NextAsync(cancellationToken).ConfigureAwait(false) is { } e)
            {
                if (e.Kind == CommandEventKind.Exit)
                {
                    return new CommandResult
                    {
                        Stdout = run.Stdout.ToString(), Stderr = run.Stderr.ToString(), ExitCode = e.ExitCode ?? -1,
                        Duration = DateTimeOffset.UtcNow - run.Started, Error = e.Error, OutOfMemory = run.OutOfMemory,
                    };
                }
            }
        }

        throw new ProviderException(ProviderId, "The command's output ended without an exit status.");
    }

    public override async IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = await StartRunAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        await using (run.ConfigureAwait(false))
        {
            while (await run.NextAsync(cancellationToken).ConfigureAwait(false) is { } e)
            {
                yield return e;
            }
        }
    }

    public override async Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var (env, user, cwd) = await PrepareAsync(sandboxId, request.Env, request.User, request.Cwd, cancellationToken).ConfigureAwait(false);
        var handle = NewNonce();
        var timeout = request.TimeoutSeconds?.ToString("0.###", CultureInfo.InvariantCulture) ?? string.Empty;
        var attachStdin = request.KeepStdinOpen || request.Stdin is not null;
        var spec = new ExecSpec
        {
            Cmd = ["/bin/sh", "-c", DockerScripts.Start, "sandboxes-start", HandleDir(handle), request.Cmd, timeout, handle, DockerScripts.Watchdog],
            Env = [.. env, $"{DockerScripts.ExecVariable}={handle}", $"{DockerScripts.HandleVariable}={handle}", $"{DockerScripts.HelperVariable}=1"],
            User = user,
            WorkingDir = cwd,
            Stdin = attachStdin,
        };
        var (execId, connection) = await StartExecAsync(sandboxId, spec, cancellationToken).ConfigureAwait(false);
        try
        {
            var pid = await ReadPidAsync(connection, execId, cancellationToken).ConfigureAwait(false);
            if (!attachStdin)
            {
                // The wrapper prints nothing more, and the command's output goes to files: the stream can go.
                await connection.DisposeAsync().ConfigureAwait(false);
                return new CommandHandle(pid, handle);
            }

            _stdinHolders[(sandboxId, handle)] = connection;
            _ = HoldUntilExitAsync(sandboxId, handle, connection);
            if (request.Stdin is { } text)
            {
                await connection.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            }

            if (!request.KeepStdinOpen)
            {
                connection.CloseWrite();
            }

            return new CommandHandle(pid, handle);
        }
        catch
        {
            _stdinHolders.TryRemove((sandboxId, handle), out _);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var output = new ExecOutput();
        await foreach (var _ in FollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false))
        {
        }

        var status = await EndOfFollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false);
        return new CommandResult
        {
            Stdout = output.Stdout.ToString(), Stderr = output.Stderr.ToString(), ExitCode = status.ExitCode,
            Duration = DateTimeOffset.UtcNow - started, OutOfMemory = status.OutOfMemory,
            Error = await DescribeBackgroundExitAsync(sandboxId, status, cancellationToken).ConfigureAwait(false),
        };
    }

    public override async IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var output = new ExecOutput();
        await foreach (var e in FollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }

        var status = await EndOfFollowAsync(sandboxId, handleId, output, cancellationToken).ConfigureAwait(false);
        yield return CommandEvent.Exited(status.ExitCode, await DescribeBackgroundExitAsync(sandboxId, status, cancellationToken).ConfigureAwait(false));
    }

    public override async Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_stdinHolders.TryGetValue((sandboxId, handleId), out var connection))
        {
            throw new NotFoundException(ProviderId,
                $"This client holds no open stdin for command {handleId}: stdin stays with the client that started the command with KeepStdinOpen, until it is closed or the command ends.");
        }

        try
        {
            await connection.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            throw new SandboxStateException(ProviderId, sandboxId, SandboxStatus.Stopped, $"The stdin of command {handleId} is closed: {e.Message}");
        }
    }

    public override Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        // Closing what is already closed (or what ended) is not an error.
        if (_stdinHolders.TryGetValue((sandboxId, handleId), out var connection))
        {
            connection.CloseWrite();
        }

        return Task.CompletedTask;
    }

    public override async Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken)
    {
        var result = await RunHelperAsync(sandboxId, DockerScripts.Signal,
            [pid.ToString(CultureInfo.InvariantCulture), ((int)signal).ToString(CultureInfo.InvariantCulture)], asRoot: true, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == DockerScripts.NotFoundExit)
        {
            throw new NotFoundException(ProviderId, $"No process {pid} runs in sandbox {DockerErrors.Short(sandboxId)}.");
        }

        if (result.ExitCode != 0)
        {
            throw new ProviderException(ProviderId, $"Signalling process {pid} failed: {result.Stderr}");
        }
    }

    public override async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var result = await RunHelperAsync(sandboxId, DockerScripts.ListProcesses, [], asRoot: true, cancellationToken).ConfigureAwait(false);
        var passwd = await PasswdAsync(sandboxId, refresh: false, cancellationToken).ConfigureAwait(false);
        var processes = new List<ProcessInfo>();
        foreach (var line in result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t', 4);
            if (fields.Length == 4 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                processes.Add(new ProcessInfo(pid, fields[3], passwd.NameOf(uid)) { HandleId = fields[2].Length > 0 ? fields[2] : null });
            }
        }

        return processes.OrderBy(p => p.Pid).ToList();
    }

    /// <summary>Checks a command's environment, user and working directory before anything runs.</summary>
    private async Task<(List<string> Env, string? User, string? Cwd)> PrepareAsync(string sandboxId, IReadOnlyDictionary<string, string>? env,
        string? user, string? cwd, CancellationToken cancellationToken)
    {
        var pairs = (env ?? new Dictionary<string, string>()).Select(p => EnvPair(p.Key, p.Value)).ToList();
        if (!string.IsNullOrEmpty(user) && !PasswdFile.IsNumeric(user))
        {
            // The engine would refuse an unknown user only when the exec starts, and each engine words it differently.
            if ((await PasswdAsync(sandboxId, refresh: false, cancellationToken).ConfigureAwait(false)).Find(user) is null
                && (await PasswdAsync(sandboxId, refresh: true, cancellationToken).ConfigureAwait(false)).Find(user) is null)
            {
                throw new BadConfigException(ProviderId, $"Sandbox {DockerErrors.Short(sandboxId)} has no user '{user}' (it is not in /etc/passwd).");
            }
        }

        string? workingDir = null;
        if (!string.IsNullOrEmpty(cwd))
        {
            workingDir = DockerPath.Normalize(cwd);
            var stat = await _engine.StatAsync(sandboxId, workingDir, cancellationToken).ConfigureAwait(false);
            if (stat is null)
            {
                throw new BadConfigException(ProviderId, $"RunCommandRequest.Cwd '{cwd}' does not exist in the sandbox.");
            }

            if (!stat.IsDir && !stat.IsSymlink)
            {
                throw new BadConfigException(ProviderId, $"RunCommandRequest.Cwd '{cwd}' is not a directory in the sandbox.");
            }
        }

        return (pairs, string.IsNullOrEmpty(user) ? null : user, workingDir);
    }

    private async Task<DockerExecRun> StartRunAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var (env, user, cwd) = await PrepareAsync(sandboxId, request.Env, request.User, request.Cwd, cancellationToken).ConfigureAwait(false);
        var nonce = NewNonce();
        var marker = "\u001esandboxes-oom-" + nonce + "\u001e";
        var spec = new ExecSpec
        {
            Cmd = ["/bin/sh", "-c", DockerScripts.Run, "sandboxes-run", marker, request.Cmd, request.Stdin is null ? "0" : "1"],
            Env = [.. env, $"{DockerScripts.ExecVariable}={nonce}", $"{DockerScripts.HelperVariable}=1"],
            User = user,
            WorkingDir = cwd,
            Stdin = request.Stdin is not null,
        };
        var (execId, connection) = await StartExecAsync(sandboxId, spec, cancellationToken).ConfigureAwait(false);
        return new DockerExecRun(connection, request.Stdin,
            request.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Encoding.UTF8.GetBytes(marker),
            token => WaitForExitAsync(execId, token),
            signal => KillTreeAsync(sandboxId, nonce, signal),
            (exitCode, oom, token) => DescribeForegroundExitAsync(sandboxId, exitCode, oom, token));
    }

    /// <summary>
    /// Yields a background command's output from its start until its status is written. The follower is an exec of its
    /// own; when it dies before the end (a command that uses all of the container's memory can take it down with it),
    /// another resumes at the byte where it stopped.
    /// </summary>
    private async IAsyncEnumerable<CommandEvent> FollowAsync(string sandboxId, string handleId, ExecOutput output,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!IsHandleId(handleId))
        {
            throw UnknownHandle(sandboxId, handleId);
        }

        for (var attempt = 1; ; attempt++)
        {
            var nonce = NewNonce();
            var spec = ExecSpec.Helper(DockerScripts.Follow,
                [HandleDir(handleId), output.StdoutBytes.ToString(CultureInfo.InvariantCulture), output.StderrBytes.ToString(CultureInfo.InvariantCulture)],
                asRoot: true) with
            {
                Env = [$"{DockerScripts.HelperVariable}=1", $"{DockerScripts.ExecVariable}={nonce}"],
            };
            var (execId, connection) = await StartExecAsync(sandboxId, spec, cancellationToken).ConfigureAwait(false);
            connection.CloseWrite();
            var run = new DockerExecRun(connection, null, null, null,
                token => WaitForExitAsync(execId, token),
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

            if (exitCode == DockerScripts.NotFoundExit)
            {
                throw UnknownHandle(sandboxId, handleId);
            }

            if (attempt == 5)
            {
                throw new ProviderException(ProviderId, $"Following command {handleId} failed {attempt} times (last exit {exitCode}): {output.Stderr}");
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
    private async Task<BackgroundStatus> EndOfFollowAsync(string sandboxId, string handleId, ExecOutput output, CancellationToken cancellationToken)
    {
        var status = BackgroundStatus.Parse(Encoding.UTF8.GetString(
            await ReadSmallFileAsync(sandboxId, HandleDir(handleId) + "/status", cancellationToken).ConfigureAwait(false)));
        if (status.TimedOut)
        {
            var timeout = TimeSpan.FromSeconds(status.Timeout ?? 0);
            throw new SandboxTimeoutException(ProviderId,
                $"Command {handleId} did not finish within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; it was killed with every process it started.",
                timeout, output.Stdout.ToString(), output.Stderr.ToString());
        }

        return status;
    }

    private async Task<int> ReadPidAsync(HijackedConnection connection, string execId, CancellationToken cancellationToken)
    {
        var reader = new MultiplexedStreamReader(connection);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        while (await reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false) is { Read: true } frame)
        {
            (frame.Kind == ExecStreamKind.Stderr ? stderr : stdout).Append(Encoding.UTF8.GetString(frame.Payload.Span));
            var text = stdout.ToString();
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                return int.TryParse(text[..newline], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    ? pid
                    : throw new ProviderException(ProviderId, $"The background wrapper printed '{text[..newline]}' instead of a pid.");
            }
        }

        var exitCode = await WaitForExitAsync(execId, cancellationToken).ConfigureAwait(false);
        throw new SandboxIOException(ProviderId, DockerScripts.HandlesDir, $"the background command could not start (exit {exitCode}): {stderr.ToString().Trim()}");
    }

    private async Task HoldUntilExitAsync(string sandboxId, string handle, HijackedConnection connection)
    {
        try
        {
            var buffer = new byte[1024];
            while (await connection.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
        }
        finally
        {
            _stdinHolders.TryRemove((sandboxId, handle), out _);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task DropStdinOfAsync(string sandboxId)
    {
        foreach (var key in _stdinHolders.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            if (_stdinHolders.TryRemove(key, out var connection))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<string?> DescribeForegroundExitAsync(string sandboxId, int exitCode, bool outOfMemory, CancellationToken cancellationToken) =>
        outOfMemory ? await OutOfMemoryTextAsync(sandboxId, cancellationToken).ConfigureAwait(false) : ExitStatus.KilledBy(exitCode);

    private async Task<string?> DescribeBackgroundExitAsync(string sandboxId, BackgroundStatus status, CancellationToken cancellationToken)
    {
        if (status.OutOfMemory)
        {
            return await OutOfMemoryTextAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        }

        if (status.ExitCode == -1)
        {
            return "its exit status is unknown: the process waiting for it was killed (perhaps when the sandbox ran out of memory)";
        }

        return ExitStatus.KilledBy(status.ExitCode);
    }

    private async Task<string> OutOfMemoryTextAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var info = await GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return info.MemoryMb is { } mb
            ? $"Killed for exceeding the sandbox's memory limit of {mb} MiB."
            : "Killed for exceeding the container's memory limit.";
    }

    private async Task<PasswdFile> PasswdAsync(string sandboxId, bool refresh, CancellationToken cancellationToken)
    {
        if (refresh || !_passwdCache.TryGetValue(sandboxId, out var text))
        {
            try
            {
                text = Encoding.UTF8.GetString(await ReadSmallFileAsync(sandboxId, "/etc/passwd", cancellationToken).ConfigureAwait(false));
            }
            catch (NotFoundException) when (!refresh)
            {
                text = string.Empty; // an image without /etc/passwd: only numeric users exist
            }

            _passwdCache[sandboxId] = text;
        }

        return new PasswdFile(text);
    }

    private static string HandleDir(string handleId) => DockerScripts.HandlesDir + "/" + handleId;

    private static bool IsHandleId(string handleId) => handleId.Length == 24 && handleId.All(char.IsAsciiHexDigitLower);

    private static NotFoundException UnknownHandle(string sandboxId, string handleId) =>
        new(ProviderId, $"Sandbox {DockerErrors.Short(sandboxId)} has no background command with the handle '{handleId}'.");
}
