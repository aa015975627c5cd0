using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Runs commands in one local sandbox through its agent: foreground jobs stream over FIFOs read by <see cref="FifoPoller"/>,
/// background jobs write plain files any client can follow, wait for and feed.
/// </summary>
internal sealed class LocalCommands
{
    /// <summary>How long a killed command's exit report may take before the command ends without it.</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);

    private readonly LocalSandbox _sandbox;

    public LocalCommands(LocalSandbox sandbox) => _sandbox = sandbox;

    public async Task<CommandResult> RunAsync(RunCommandRequest request, CancellationToken cancellationToken)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var started = Stopwatch.GetTimestamp();
        var outcome = await RunForegroundAsync(request, (stream, data) =>
        {
            (stream == 1 ? stdout : stderr).Write(data);
            return true;
        }, null, cancellationToken).ConfigureAwait(false);
        if (outcome.TimedOut)
        {
            throw TimedOut(request.TimeoutSeconds!.Value, Decode(stdout), Decode(stderr));
        }

        return ToResult(outcome, Decode(stdout), Decode(stderr), Stopwatch.GetElapsedTime(started), request);
    }

    public async IAsyncEnumerable<CommandEvent> StreamAsync(RunCommandRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Bounded: when the consumer is slow the watch pauses, the pipe fills and the command waits. Memory stays flat.
        var channel = Channel.CreateBounded<CommandEvent>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        var decoders = new[] { Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder() };
        var stdoutTail = new StringBuilder();
        var stderrTail = new StringBuilder();
        FifoWatch? watch = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        bool Sink(int stream, ReadOnlySpan<byte> data)
        {
            var text = DecodeChunk(decoders[stream - 1], data);
            if (text.Length == 0)
            {
                return true;
            }

            Remember(stream == 1 ? stdoutTail : stderrTail, text);
            var e = stream == 1 ? CommandEvent.Stdout(text) : CommandEvent.Stderr(text);
            if (channel.Writer.TryWrite(e))
            {
                return true;
            }

            // Full: keep this chunk, pause the watch, and resume once the consumer has made room.
            _ = channel.Writer.WaitToWriteAsync(stop.Token).AsTask().ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && t.Result && channel.Writer.TryWrite(e))
                {
                    watch!.Resume();
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return false;
        }

        var pump = Task.Run(async () =>
        {
            try
            {
                var outcome = await RunForegroundAsync(request, Sink, w => watch = w, stop.Token).ConfigureAwait(false);
                if (outcome.TimedOut)
                {
                    throw TimedOut(request.TimeoutSeconds!.Value, stdoutTail.ToString(), stderrTail.ToString());
                }

                var result = ToResult(outcome, string.Empty, string.Empty, TimeSpan.Zero, request);
                await channel.Writer.WriteAsync(CommandEvent.Exited(result.ExitCode, result.Error), stop.Token).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            // The consumer stopped early (break or cancellation): stop the pump, which kills the command.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async Task<CommandHandle> StartAsync(RunCommandRequest request, CancellationToken cancellationToken)
    {
        using var run = _sandbox.OpenRunDirectory();
        var job = Prepare(run, request, background: true, terminal: null);
        return await StartPreparedAsync(run, job, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a prepared background job and returns its handle once it runs.</summary>
    internal async Task<CommandHandle> StartPreparedAsync(ConfinedDirectory run, JobFiles job, RunCommandRequest request, CancellationToken cancellationToken)
    {
        int? stdinWriter = null;
        if (request.KeepStdinOpen)
        {
            // Opened read-write, so the agent's open for reading finds a writer at once; closing it later is end-of-file.
            stdinWriter = run.OpenAs(job.Stdin, LibC.O_RDWR, LibC.S_IFIFO);
            if (stdinWriter < 0)
            {
                throw new SandboxIOException(LocalProvider.ProviderId, job.Stdin, LibC.ErrorText(LibC.LastError));
            }

            _sandbox.StdinWriters[job.Id] = stdinWriter.Value;
        }

        try
        {
            _sandbox.Submit(job, UserIds(request), cancellationToken);
            var pid = await WaitForPidAsync(run, job, cancellationToken).ConfigureAwait(false);
            if (request.TimeoutSeconds is { } seconds)
            {
                // Enforced by this client while it lives, and by any client that waits for the command later.
                EnforceTimeoutLater(job, TimeSpan.FromSeconds(seconds));
            }

            return new CommandHandle(pid, job.Id);
        }
        catch
        {
            if (stdinWriter is { } fd && _sandbox.StdinWriters.TryRemove(job.Id, out _))
            {
                LibC.Close(fd);
            }

            throw;
        }
    }

    private void EnforceTimeoutLater(JobFiles job, TimeSpan timeout)
    {
        Timer? timer = null;
        timer = new Timer(state =>
        {
            timer?.Dispose();
            try
            {
                using var run = _sandbox.OpenRunDirectory();
                if (!TryReadExit(run, job, out _) && run.Exists(job.Dir))
                {
                    MarkTimedOut(run, job, _sandbox.Identity.RootOwner);
                    _sandbox.KillJob(job);
                }
            }
            catch (SandboxException)
            {
                // The sandbox is gone: nothing left to time out.
            }
        }, null, timeout, Timeout.InfiniteTimeSpan);
    }

    public async Task<CommandResult> WaitAsync(string handleId, CancellationToken cancellationToken)
    {
        using var run = _sandbox.OpenRunDirectory();
        var job = _sandbox.ExistingJob(run, handleId);
        var started = ModifiedTime(run, job.Run) ?? DateTime.UtcNow;
        var deadline = ReadTimeout(run, job) is { } seconds ? started.AddSeconds(seconds) : (DateTime?)null;
        var delay = 2;
        while (!TryReadExit(run, job, out _))
        {
            _sandbox.EnsureAlive();
            if (deadline is { } d && DateTime.UtcNow > d && !run.Exists(job.TimedOut))
            {
                MarkTimedOut(run, job, _sandbox.Identity.RootOwner);
                _sandbox.KillJob(job);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(50, delay * 2);
        }

        TryReadExit(run, job, out var exitCode);
        var stdout = Encoding.UTF8.GetString(run.ReadAll(job.Stdout));
        var stderr = Encoding.UTF8.GetString(run.ReadAll(job.Stderr));
        var finished = ModifiedTime(run, job.Exit) ?? DateTime.UtcNow;
        CloseStdinWriter(handleId);
        if (run.Exists(job.TimedOut))
        {
            throw TimedOut(ReadTimeout(run, job) ?? 0, stdout, stderr);
        }

        return ToResult(new Outcome(exitCode, OomDelta(run, job), false), stdout, stderr, finished - started, null);
    }

    public async IAsyncEnumerable<CommandEvent> AttachAsync(string handleId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var run = _sandbox.OpenRunDirectory();
        var job = _sandbox.ExistingJob(run, handleId);
        var offsets = new long[2];
        var decoders = new[] { Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder() };
        var buffer = new byte[64 * 1024];
        var delay = 2;
        while (true)
        {
            var exited = TryReadExit(run, job, out var exitCode);
            var any = false;
            foreach (var (path, index) in new[] { (job.Stdout, 0), (job.Stderr, 1) })
            {
                while (run.ReadAt(path, offsets[index], buffer) is var n and > 0)
                {
                    offsets[index] += n;
                    any = true;
                    var text = DecodeChunk(decoders[index], buffer.AsSpan(0, n));
                    if (text.Length > 0)
                    {
                        yield return index == 0 ? CommandEvent.Stdout(text) : CommandEvent.Stderr(text);
                    }
                }
            }

            if (exited)
            {
                if (run.Exists(job.TimedOut))
                {
                    throw TimedOut(ReadTimeout(run, job) ?? 0, string.Empty, string.Empty);
                }

                var result = ToResult(new Outcome(exitCode, OomDelta(run, job), false), string.Empty, string.Empty, TimeSpan.Zero, null);
                yield return CommandEvent.Exited(result.ExitCode, result.Error);
                yield break;
            }

            _sandbox.EnsureAlive();
            delay = any ? 2 : Math.Min(50, delay * 2);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task WriteStdinAsync(string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var run = _sandbox.OpenRunDirectory();
        var job = _sandbox.ExistingJob(run, handleId);
        if (TryReadExit(run, job, out _))
        {
            throw new SandboxStateException(LocalProvider.ProviderId, _sandbox.Id, SandboxStatus.Running,
                $"The command {handleId} has already exited; its stdin is closed.");
        }

        if (_sandbox.StdinWriters.TryGetValue(handleId, out var fd))
        {
            await WriteAllAsync(fd, data, job.Stdin, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Another client started the command: open the FIFO for writing (the command holds the reading end).
        var writer = run.OpenAs(job.Stdin, LibC.O_WRONLY, LibC.S_IFIFO);
        if (writer < 0)
        {
            throw LibC.LastError == LibC.ENXIO
                ? new SandboxStateException(LocalProvider.ProviderId, _sandbox.Id, SandboxStatus.Running, $"The stdin of command {handleId} is closed.")
                : new BadConfigException(LocalProvider.ProviderId,
                    $"The command {handleId} was not started with KeepStdinOpen, so its stdin cannot be written.");
        }

        try
        {
            await WriteAllAsync(writer, data, job.Stdin, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            LibC.Close(writer);
        }
    }

    public Task CloseStdinAsync(string handleId)
    {
        using (var run = _sandbox.OpenRunDirectory())
        {
            _sandbox.ExistingJob(run, handleId);
        }

        if (!CloseStdinWriter(handleId))
        {
            throw new BadConfigException(LocalProvider.ProviderId,
                $"This client does not hold the stdin of command {handleId}: only the client that started it with KeepStdinOpen can close it.");
        }

        return Task.CompletedTask;
    }

    private bool CloseStdinWriter(string handleId)
    {
        if (_sandbox.StdinWriters.TryRemove(handleId, out var fd))
        {
            LibC.Close(fd);
            return true;
        }

        return false;
    }

    private async Task<Outcome> RunForegroundAsync(RunCommandRequest request, Func<int, ReadOnlySpan<byte>, bool> sink,
        Action<FifoWatch>? onWatch, CancellationToken cancellationToken)
    {
        var run = _sandbox.OpenRunDirectory();
        JobFiles job;
        FifoWatch watch;
        try
        {
            job = Prepare(run, request, background: false, terminal: null);
            watch = new FifoWatch(FifoPoller.Shared, OpenOutputReader(run, job.Stdout), OpenOutputReader(run, job.Stderr),
                OpenReader(run, job.Status), sink);
        }
        catch
        {
            run.Dispose();
            throw;
        }

        onWatch?.Invoke(watch);
        var timedOut = false;
        var killing = 0;
        Timer? grace = null;
        void KillOnce()
        {
            // Kill the whole tree; the agent then reports the exit and the watch ends normally. A sandbox can keep the
            // report from coming (its own run directory is its to spoil), so the watch ends anyway after a grace.
            if (Interlocked.Exchange(ref killing, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => _sandbox.KillJob(job), null);
                grace = new Timer(_ => watch.Stop(), null, KillGrace, Timeout.InfiniteTimeSpan);
            }
        }

        Timer? deadline = null;
        Timer? liveness = null;
        try
        {
            FifoPoller.Shared.Add(watch);
            _sandbox.Submit(job, UserIds(request), cancellationToken);
            if (request.TimeoutSeconds is { } seconds)
            {
                deadline = new Timer(_ =>
                {
                    timedOut = true;
                    KillOnce();
                }, null, TimeSpan.FromSeconds(seconds), Timeout.InfiniteTimeSpan);
            }

            // A command must not hang because its sandbox died under it.
            liveness = new Timer(_ =>
            {
                if (!_sandbox.IsAlive)
                {
                    watch.Fail(new SandboxStateException(LocalProvider.ProviderId, _sandbox.Id, SandboxStatus.Stopped,
                        $"The sandbox {_sandbox.Id} stopped while the command ran."));
                }
            }, null, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
            int? exitCode;
            using (cancellationToken.UnsafeRegister(_ => KillOnce(), null))
            {
                exitCode = await watch.Completion.ConfigureAwait(false);
            }

            if (cancellationToken.IsCancellationRequested && !timedOut)
            {
                throw new OperationCanceledException("The command was cancelled and its processes killed.", cancellationToken);
            }

            return new Outcome(exitCode ?? -1, OomDelta(run, job), timedOut);
        }
        catch
        {
            watch.Stop();
            throw;
        }
        finally
        {
            deadline?.Dispose();
            liveness?.Dispose();
            grace?.Dispose();
            // Off the caller's path: removing the job's files is not part of the command's latency.
            ThreadPool.UnsafeQueueUserWorkItem(static state =>
            {
                using (state.Run)
                {
                    LocalSandbox.RemoveJob(state.Run, state.Job);
                }
            }, (Run: run, Job: job), preferLocal: false);
        }
    }

    /// <summary>
    /// Writes a job's files into the run directory: the script, its stdin, its output FIFOs (foreground) and what later
    /// clients need to know. <paramref name="terminal"/>, when given, is the sandbox path of the terminal the command
    /// gets as its controlling terminal and its stdin, stdout and stderr.
    /// </summary>
    internal JobFiles Prepare(ConfinedDirectory run, RunCommandRequest request, bool background, string? terminal)
    {
        _sandbox.EnsureRunnable();
        var cwd = SandboxPath.Workspace;
        if (request.Cwd is { Length: > 0 } c)
        {
            // Checked here for a clear error; the default (the workspace, a mount point) always exists.
            cwd = SandboxPath.Normalize(c).Absolute;
            if (!_sandbox.Files.IsDirectory(cwd))
            {
                throw new BadConfigException(LocalProvider.ProviderId, $"RunCommandRequest.Cwd '{cwd}' is not a directory in the sandbox.");
            }
        }

        (int Uid, int Gid)? user = request.User is { Length: > 0 } u ? _sandbox.ResolveUser(u) : null;
        var job = _sandbox.NewJob();
        var script = new StringBuilder();
        // The script may be sourced by a subshell of the agent, where $$ is the agent's pid: the process's own pid is
        // bash's BASHPID, or else read from /proc/self (which a POSIX shell reads a byte at a time, hence not first); the
        // agent's variables and arguments are cleared before the user's command.
        script.Append("__sbx_pid=${BASHPID:-}; [ -n \"$__sbx_pid\" ] || read -r __sbx_pid __sbx_rest </proc/self/stat; echo \"$__sbx_pid\" >")
            .Append(ShellQuote.Quote(job.AgentDir + "/pid"))
            .Append("; unset __sbx_pid __sbx_rest r d i job uid gid; set --\n");
        if (cwd != SandboxPath.Workspace || !_sandbox.Record.Namespaces)
        {
            script.Append("cd ").Append(ShellQuote.Quote(_sandbox.CommandPath(cwd))).Append(" || exit 126\n");
        }

        if (user is { Uid: not 0 })
        {
            script.Append("export HOME=/home/user USER=").Append(ShellQuote.Quote(request.User!)).Append('\n');
        }

        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            if (!ShellQuote.IsVariableName(key))
            {
                throw new BadConfigException(LocalProvider.ProviderId, $"'{key}' is not a valid environment variable name.");
            }

            script.Append("export ").Append(key).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }

        if (terminal is not null)
        {
            // A session of its own with the terminal as its controlling one (setsid -c, after the terminal is on 0-2).
            script.Append("exec ").Append(AgentScript.ResetSignalsCommand).Append(" setsid -c /bin/sh ")
                .Append(request.Cmd.Length == 0 ? "-i" : "-c " + ShellQuote.Quote(request.Cmd))
                .Append(" <>").Append(ShellQuote.Quote(terminal)).Append(" >&0 2>&0\n");
        }

        // Everything after this line is the user's command, as given (process listings show it from here).
        script.Append(JobFiles.CommandMarker).Append('\n').Append(request.Cmd).Append('\n');
        var owner = _sandbox.Identity.RootOwner;
        run.CreateDirectory(job.Dir, 0x1ED, owner);
        run.CreateFile(job.Run, Encoding.UTF8.GetBytes(script.ToString()), 0x1A4, owner);
        if (user is { Uid: not 0 } other)
        {
            // The job script writes its pid as the requested user.
            run.CreateFile(job.Pid, [], 0x1A4, owner);
            run.SetOwner(job.Pid, _sandbox.Identity.ToHost(other.Uid, other.Gid));
        }

        if (_sandbox.Record.MemoryCgroup is not null)
        {
            run.CreateFile(job.OomBaseline, Encoding.ASCII.GetBytes(SandboxCgroups.OomKills(_sandbox.Record.MemoryCgroup).ToString(CultureInfo.InvariantCulture)), 0x1A4, owner);
        }

        if (request.TimeoutSeconds is { } timeout && background)
        {
            run.CreateFile(job.Timeout, Encoding.ASCII.GetBytes(timeout.ToString(CultureInfo.InvariantCulture)), 0x1A4, owner);
        }

        if (request.KeepStdinOpen)
        {
            run.CreateFifo(job.Stdin, 0x180, owner);
        }
        else if (request.Stdin is { } stdin)
        {
            run.CreateFile(job.Stdin, Encoding.UTF8.GetBytes(stdin), 0x1A4, owner);
        }

        if (!background)
        {
            run.CreateFifo(job.Stdout, 0x180, owner);
            run.CreateFifo(job.Stderr, 0x180, owner);
            run.CreateFifo(job.Status, 0x180, owner);
        }

        return job;
    }

    /// <summary>The ids the agent switches to for a request, or null to run as the sandbox's root.</summary>
    private (int Uid, int Gid)? UserIds(RunCommandRequest request) =>
        request.User is { Length: > 0 } u && _sandbox.ResolveUser(u) is { Uid: not 0 } ids ? ids : null;

    private async Task<int> WaitForPidAsync(ConfinedDirectory run, JobFiles job, CancellationToken cancellationToken)
    {
        var delay = 1;
        for (var waited = 0; waited < 10_000; waited += delay)
        {
            if (LocalSandbox.ReadPid(run, job) is { } pid)
            {
                return pid;
            }

            if (TryReadExit(run, job, out _))
            {
                // Exited before its first line ran (the shell could not start): report the agent's pid-less handle.
                return LocalSandbox.ReadPid(run, job) ?? 0;
            }

            _sandbox.EnsureAlive();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(20, delay * 2);
        }

        throw new ProviderException(LocalProvider.ProviderId, "The background command did not start within 10 seconds.");
    }

    private long OomDelta(ConfinedDirectory run, JobFiles job)
    {
        if (_sandbox.Record.MemoryCgroup is null)
        {
            return 0;
        }

        var baseline = LocalSandbox.ReadInt(run, job.OomBaseline) ?? 0;
        return SandboxCgroups.OomKills(_sandbox.Record.MemoryCgroup) - baseline;
    }

    private CommandResult ToResult(Outcome outcome, string stdout, string stderr, TimeSpan duration, RunCommandRequest? request)
    {
        string? error = null;
        var oom = false;
        if (outcome.ExitCode > 128 && outcome.ExitCode < 128 + 65)
        {
            var signal = outcome.ExitCode - 128;
            if (signal == 9 && outcome.OomKills > 0)
            {
                oom = true;
                error = $"Killed for exceeding the sandbox's memory limit ({_sandbox.Record.MemoryMb} MiB).";
            }
            else
            {
                error = ExitStatus.KilledBy(outcome.ExitCode);
            }
        }

        return new CommandResult { Stdout = stdout, Stderr = stderr, ExitCode = outcome.ExitCode, Duration = duration, Error = error, OutOfMemory = oom };
    }

    private SandboxTimeoutException TimedOut(double seconds, string? stdout, string? stderr) =>
        new(LocalProvider.ProviderId,
            $"The command exceeded its timeout of {seconds.ToString(CultureInfo.InvariantCulture)} s; it and every process it started were killed.",
            TimeSpan.FromSeconds(seconds), stdout, stderr);

    private static int OpenReader(ConfinedDirectory run, string fifo)
    {
        // Non-blocking, so the open does not wait for the writer; poll reports data once the command writes.
        var fd = run.OpenAs(fifo, LibC.O_RDONLY, LibC.S_IFIFO);
        return fd >= 0 ? fd : throw new SandboxIOException(LocalProvider.ProviderId, fifo, LibC.ErrorText(LibC.LastError));
    }

    /// <summary>
    /// Opens an output FIFO with a 1 MiB pipe instead of 64 KiB, so a command with a lot to say is read in large chunks
    /// and stalls less on a busy reader (the kernel caps it at pipe-max-size; a refusal keeps the default).
    /// </summary>
    private static int OpenOutputReader(ConfinedDirectory run, string fifo)
    {
        var fd = OpenReader(run, fifo);
        LibC.Fcntl(fd, LibC.F_SETPIPE_SZ, 1 << 20);
        return fd;
    }

    /// <summary>Writes every byte to a non-blocking FIFO, waiting while it is full; a reader that never reads cannot hold the caller past its token.</summary>
    private static async Task WriteAllAsync(int fd, ReadOnlyMemory<byte> data, string path, CancellationToken cancellationToken)
    {
        var written = 0;
        var delay = 1;
        while (written < data.Length)
        {
            var n = Write(fd, data.Span[written..]);
            if (n > 0)
            {
                written += n;
                delay = 1;
                continue;
            }

            if (n == 0 || LibC.LastError is not (LibC.EAGAIN or LibC.EINTR))
            {
                throw new SandboxIOException(LocalProvider.ProviderId, path, n == 0 ? "closed" : LibC.ErrorText(LibC.LastError));
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(50, delay * 2);
        }
    }

    private static unsafe int Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            return (int)LibC.Write(fd, p, (nuint)data.Length);
        }
    }

    /// <summary>Reads a job's exit status: false until the agent has written it whole.</summary>
    internal static bool TryReadExit(ConfinedDirectory run, JobFiles job, out int exitCode)
    {
        exitCode = -1;
        // The agent writes "N\n" in one write; without the newline the write has not finished.
        if (run.ReadSmallText(job.Exit, 32) is not { } text || !text.EndsWith('\n'))
        {
            return false;
        }

        exitCode = int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : -1;
        return true;
    }

    private static double? ReadTimeout(ConfinedDirectory run, JobFiles job) =>
        run.ReadSmallText(job.Timeout, 64) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : null;

    private static void MarkTimedOut(ConfinedDirectory run, JobFiles job, (int Uid, int Gid)? owner)
    {
        try
        {
            run.CreateFile(job.TimedOut, "1"u8, 0x1A4, owner);
        }
        catch (SandboxIOException) when (run.Exists(job.TimedOut))
        {
            // Already marked by another client.
        }
    }

    private static DateTime? ModifiedTime(ConfinedDirectory run, string relative) =>
        run.Stat(relative) is { } st ? DateTime.UnixEpoch.AddSeconds(st.MtimeSeconds).AddTicks(st.MtimeNanoseconds / 100) : null;

    private static string Decode(MemoryStream stream) =>
        Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);

    private static string DecodeChunk(Decoder decoder, ReadOnlySpan<byte> data)
    {
        var chars = new char[Encoding.UTF8.GetMaxCharCount(data.Length)];
        var count = decoder.GetChars(data, chars, flush: false);
        return new string(chars, 0, count);
    }

    // Keeps the last part of a stream, for the timeout message of a streamed command.
    private static void Remember(StringBuilder tail, string text)
    {
        tail.Append(text);
        if (tail.Length > 64 * 1024)
        {
            tail.Remove(0, tail.Length - 32 * 1024);
        }
    }

    private readonly record struct Outcome(int ExitCode, long OomKills, bool TimedOut);
}
