namespace Sandboxes.Providers.Local;

/// <summary>
/// The descriptors of one foreground job as <see cref="FifoPoller"/> watches them: stdout, stderr and the status FIFO.
/// Stdout and stderr chunks go to the sink; the status line is the exit code. The watch completes when both outputs
/// reached end-of-file and the status arrived, or a short grace after the status when a process the command left in the
/// background still holds the output open.
/// </summary>
internal sealed class FifoWatch
{
    private static readonly TimeSpan GraceAfterExit = TimeSpan.FromMilliseconds(100);
    private readonly FifoPoller _poller;
    private readonly Func<int, ReadOnlySpan<byte>, bool> _sink;
    private readonly TaskCompletionSource<int?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte> _status = [];
    private readonly object _lock = new();
    private Timer? _grace;
    private volatile bool _paused;
    private int _resumes;
    private int? _exitCode;

    /// <param name="poller">The poller that reads the descriptors.</param>
    /// <param name="stdout">The stdout FIFO, opened non-blocking.</param>
    /// <param name="stderr">The stderr FIFO, opened non-blocking.</param>
    /// <param name="status">The status FIFO, opened non-blocking.</param>
    /// <param name="sink">Takes a chunk (1 = stdout, 2 = stderr); returns false when it can take no more for now, which
    /// pauses the watch until <see cref="Resume"/>.</param>
    public FifoWatch(FifoPoller poller, int stdout, int stderr, int status, Func<int, ReadOnlySpan<byte>, bool> sink)
    {
        _poller = poller;
        _sink = sink;
        Fds = [stdout, stderr, status];
        Owned = [stdout, stderr, status];
    }

    /// <summary>The descriptors still read (-1 once at end-of-file).</summary>
    public int[] Fds { get; }

    /// <summary>Every descriptor of the watch; the poller closes them once the watch is finished (it may be polling them).</summary>
    public int[] Owned { get; }

    public bool IsPaused => _paused;

    public bool IsFinished => _completion.Task.IsCompleted;

    /// <summary>Completes with the exit code, or null when the watch was stopped before the status arrived.</summary>
    public Task<int?> Completion => _completion.Task;

    /// <summary>Called on the poller thread with a chunk from descriptor <paramref name="index"/>.</summary>
    public void Deliver(int index, ReadOnlySpan<byte> data)
    {
        if (index < 2)
        {
            var resumesBefore = Volatile.Read(ref _resumes);
            if (!_sink(index + 1, data))
            {
                // The sink may arrange its Resume to run on another thread before it even returns; a pause set after
                // that resume would never be lifted, so a resume seen since the call cancels the pause.
                _paused = true;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _resumes) != resumesBefore)
                {
                    _paused = false;
                }
            }

            return;
        }

        lock (_lock)
        {
            _status.AddRange(data.ToArray());
            if (_status.Contains((byte)'\n') && _exitCode is null)
            {
                _exitCode = int.TryParse(System.Text.Encoding.ASCII.GetString(_status.ToArray()).Trim(), out var code) ? code : -1;
                Fds[2] = -1;
                if (!TryComplete())
                {
                    _grace = new Timer(_ => Stop(), null, GraceAfterExit, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>Called on the poller thread when descriptor <paramref name="index"/> reached end-of-file.</summary>
    public void EndOfFile(int index)
    {
        lock (_lock)
        {
            // A status FIFO that closes without a line means the agent died mid-write; liveness checks report that.
            Fds[index] = -1;
            TryComplete();
        }
    }

    /// <summary>Takes data again after the sink refused some.</summary>
    public void Resume()
    {
        Interlocked.Increment(ref _resumes);
        _paused = false;
        _poller.Wake();
    }

    /// <summary>Ends the watch now with what is known (the exit code if it arrived).</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _grace?.Dispose();
            _completion.TrySetResult(_exitCode);
        }

        _poller.Wake();
    }

    /// <summary>Ends the watch with an error (the sandbox died).</summary>
    public void Fail(Exception error)
    {
        lock (_lock)
        {
            _grace?.Dispose();
            _completion.TrySetException(error);
        }

        _poller.Wake();
    }

    private bool TryComplete()
    {
        if (Fds[0] < 0 && Fds[1] < 0 && (_exitCode is not null || Fds[2] < 0))
        {
            _grace?.Dispose();
            _completion.TrySetResult(_exitCode);
            return true;
        }

        return false;
    }
}
