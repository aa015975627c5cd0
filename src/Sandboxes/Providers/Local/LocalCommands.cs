using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Runs commands in one local sandbox through its agent: foreground jobs stream over FIFOs read by <see cref="FifoPoller"/>,
/// background jobs write plain files any client can follow, wait for and feed.
/// </summary>
internal sealed class LocalCommands
{
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
        var job = Prepare(request, background: true);
        int? stdinWriter = null;
        if (request.KeepStdinOpen)
        {
            // Opened read-write, so the agent's open for reading finds a writer at once; closing it later is end-of-file.
            stdinWriter = LibC.Open(job.Stdin, LibC.O_RDWR);
            if (stdinWriter < 0)
            {
                throw new SandboxIOException(LocalProvider.ProviderId, job.Stdin, LibC.ErrorText(LibC.LastError));
            }

            _sandbox.StdinWriters[job.Id] = stdinWriter.Value;
        }

        try
        {
            _sandbox.Submit(job, request.User);
            var pid = await WaitForPidAsync(job, cancellationToken).ConfigureAwait(false);
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
            if (!TryReadExit(job, out _) && Directory.Exists(job.HostDir))
            {
                File.WriteAllText(job.TimedOut, "1");
                _sandbox.KillJob(job);
            }
        }, null, timeout, Timeout.InfiniteTimeSpan);
    }

    public async Task<CommandResult> WaitAsync(string handleId, CancellationToken cancellationToken)
    {
        var job = _sandbox.ExistingJob(handleId);
        var started = File.GetCreationTimeUtc(job.Run);
        var deadline = ReadTimeout(job) is { } seconds ? started.AddSeconds(seconds) : (DateTime?)null;
        var delay = 2;
        while (!TryReadExit(job, out _))
        {
            _sandbox.EnsureAlive();
            if (deadline is { } d && DateTime.UtcNow > d && !File.Exists(job.TimedOut))
            {
                File.WriteAllText(job.TimedOut, "1");
                _sandbox.KillJob(job);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(50, delay * 2);
        }

        TryReadExit(job, out var exitCode);
        var stdout = ReadAllText(job.Stdout);
        var stderr = ReadAllText(job.Stderr);
        var finished = File.GetLastWriteTimeUtc(job.Exit);
        CloseStdinWriter(handleId);
        if (File.Exists(job.TimedOut))
        {
            throw TimedOut(ReadTimeout(job) ?? 0, stdout, stderr);
        }

        return ToResult(new Outcome(exitCode, OomDelta(job), false), stdout, stderr, finished - started, null);
    }

    public async IAsyncEnumerable<CommandEvent> AttachAsync(string handleId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var job = _sandbox.ExistingJob(handleId);
        var offsets = new long[2];
        var decoders = new[] { Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder() };
        var buffer = new byte[64 * 1024];
        var delay = 2;
        while (true)
        {
            var exited = TryReadExit(job, out var exitCode);
            var any = false;
            foreach (var (path, index) in new[] { (job.Stdout, 0), (job.Stderr, 1) })
            {
                while (ReadAt(path, offsets[index], buffer) is var n and > 0)
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
                if (File.Exists(job.TimedOut))
                {
                    throw TimedOut(ReadTimeout(job) ?? 0, string.Empty, string.Empty);
                }

                var result = ToResult(new Outcome(exitCode, OomDelta(job), false), string.Empty, string.Empty, TimeSpan.Zero, null);
                yield return CommandEvent.Exited(result.ExitCode, result.Error);
                yield break;
            }

            _sandbox.EnsureAlive();
            delay = any ? 2 : Math.Min(50, delay * 2);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task WriteStdinAsync(string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var job = _sandbox.ExistingJob(handleId);
        if (TryReadExit(job, out _))
        {
            throw new SandboxStateException(LocalProvider.ProviderId, _sandbox.Id, SandboxStatus.Running,
                $"The command {handleId} has already exited; its stdin is closed.");
        }

        if (_sandbox.StdinWriters.TryGetValue(handleId, out var fd))
        {
            WriteAll(fd, data.Span, job.Stdin);
            return Task.CompletedTask;
        }

        // Another client started the command: open the FIFO for writing (the command holds the reading end).
        if (!IsFifo(job.Stdin))
        {
            throw new BadConfigException(LocalProvider.ProviderId,
                $"The command {handleId} was not started with KeepStdinOpen, so its stdin cannot be written.");
        }

        var writer = LibC.Open(job.Stdin, LibC.O_WRONLY | LibC.O_NONBLOCK);
        if (writer < 0)
        {
            throw new SandboxStateException(LocalProvider.ProviderId, _sandbox.Id, SandboxStatus.Running,
                $"The stdin of command {handleId} is closed.");
        }

        try
        {
            LibC.SetBlocking(writer);
            WriteAll(writer, data.Span, job.Stdin);
        }
        finally
        {
            LibC.Close(writer);
        }

        return Task.CompletedTask;
    }

    public Task CloseStdinAsync(string handleId)
    {
        _sandbox.ExistingJob(handleId);
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
        var job = Prepare(request, background: false);
        var watch = new FifoWatch(FifoPoller.Shared, OpenOutputReader(job.Stdout), OpenOutputReader(job.Stderr), OpenReader(job.Status), sink);
        onWatch?.Invoke(watch);
        var timedOut = false;
        var killing = 0;
        void KillOnce()
        {
            // Kill the whole tree; the agent then reports the exit and the watch ends normally.
            if (Interlocked.Exchange(ref killing, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => _sandbox.KillJob(job), null);
            }
        }

        Timer? deadline = null;
        Timer? liveness = null;
        try
        {
            FifoPoller.Shared.Add(watch);
            _sandbox.Submit(job, request.User);
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

            return new Outcome(exitCode ?? -1, OomDelta(job), timedOut);
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
            // Off the caller's path: removing the job's files is not part of the command's latency.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Sandbox.RemoveJob(state.Job), (Sandbox: _sandbox, Job: job), preferLocal: false);
        }
    }

    private JobFiles Prepare(RunCommandRequest request, bool background)
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
        Directory.CreateDirectory(job.HostDir);
        var script = new StringBuilder();
        // The script may be sourced by a subshell of the agent, where $$ is the agent's pid: the process's own pid is
        // bash's BASHPID, or else read from /proc/self (which a POSIX shell reads a byte at a time, hence not first); the
        // agent's variables and arguments are cleared before the user's command.
        script.Append("__sbx_pid=${BASHPID:-}; [ -n \"$__sbx_pid\" ] || read -r __sbx_pid __sbx_rest </proc/self/stat; echo \"$__sbx_pid\" >")
            .Append(ShellQuote.Quote(job.AgentDir + "/pid"))
            .Append("; unset __sbx_pid __sbx_rest r d job uid gid; set --\n");
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

        // Everything after this line is the user's command, as given (process listings show it from here).
        script.Append(JobFiles.CommandMarker).Append('\n').Append(request.Cmd).Append('\n');
        File.WriteAllText(job.Run, script.ToString());
        if (_sandbox.Record.MemoryCgroup is not null)
        {
            File.WriteAllText(job.OomBaseline, SandboxCgroups.OomKills(_sandbox.Record.MemoryCgroup).ToString(CultureInfo.InvariantCulture));
        }

        if (request.TimeoutSeconds is { } timeout && background)
        {
            File.WriteAllText(job.Timeout, timeout.ToString(CultureInfo.InvariantCulture));
        }

        if (request.KeepStdinOpen)
        {
            MakeFifo(job.Stdin);
        }
        else if (request.Stdin is { } stdin)
        {
            File.WriteAllText(job.Stdin, stdin);
        }
        else
        {
            File.CreateSymbolicLink(job.Stdin, "/dev/null");
        }

        if (!background)
        {
            MakeFifo(job.Stdout);
            MakeFifo(job.Stderr);
            MakeFifo(job.Status);
        }

        if (user is { } owner)
        {
            // The job script writes its pid here as the requested user.
            LibC.Chown(job.HostDir, owner.Uid, owner.Gid);
        }

        return job;
    }

    private async Task<int> WaitForPidAsync(JobFiles job, CancellationToken cancellationToken)
    {
        var delay = 1;
        for (var waited = 0; waited < 10_000; waited += delay)
        {
            if (TryReadInt(job.Pid) is { } pid)
            {
                return pid;
            }

            if (TryReadExit(job, out _))
            {
                // Exited before its first line ran (the shell could not start): report the agent's pid-less handle.
                return TryReadInt(job.Pid) ?? 0;
            }

            _sandbox.EnsureAlive();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(20, delay * 2);
        }

        throw new ProviderException(LocalProvider.ProviderId, "The background command did not start within 10 seconds.");
    }

    private long OomDelta(JobFiles job)
    {
        if (_sandbox.Record.MemoryCgroup is null)
        {
            return 0;
        }

        var baseline = TryReadInt(job.OomBaseline) ?? 0;
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

    private static int OpenReader(string fifo)
    {
        // Non-blocking, so the open does not wait for the writer; poll reports data once the command writes.
        var fd = LibC.Open(fifo, LibC.O_RDONLY | LibC.O_NONBLOCK);
        return fd >= 0 ? fd : throw new SandboxIOException(LocalProvider.ProviderId, fifo, LibC.ErrorText(LibC.LastError));
    }

    /// <summary>
    /// Opens an output FIFO with a 1 MiB pipe instead of 64 KiB, so a command with a lot to say is read in large chunks
    /// and stalls less on a busy reader (the kernel caps it at pipe-max-size; a refusal keeps the default).
    /// </summary>
    private static int OpenOutputReader(string fifo)
    {
        var fd = OpenReader(fifo);
        LibC.Fcntl(fd, LibC.F_SETPIPE_SZ, 1 << 20);
        return fd;
    }

    private static void MakeFifo(string path)
    {
        if (LibC.MkFifo(path, 0x1B6) != 0)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, path, LibC.ErrorText(LibC.LastError));
        }
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> data, string path)
    {
        if (!LibC.TryWriteAll(fd, data))
        {
            throw new SandboxIOException(LocalProvider.ProviderId, path, LibC.ErrorText(LibC.LastError));
        }
    }

    internal static bool TryReadExit(JobFiles job, out int exitCode)
    {
        exitCode = -1;
        string text;
        try
        {
            text = File.ReadAllText(job.Exit);
        }
        catch (IOException)
        {
            return false;
        }

        // The agent writes "N\n" in one write; without the newline the write has not finished.
        if (!text.EndsWith('\n'))
        {
            return false;
        }

        exitCode = int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : -1;
        return true;
    }

    private static double? ReadTimeout(JobFiles job)
    {
        try
        {
            return double.Parse(File.ReadAllText(job.Timeout), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    internal static int? TryReadInt(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsFifo(string path) =>
        LibC.Statx(-100, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) == 0 && (st.Mode & LibC.S_IFMT) == LibC.S_IFIFO;

    private static int ReadAt(string path, long offset, byte[] buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return RandomAccess.Read(handle, buffer, offset);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string ReadAllText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

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
