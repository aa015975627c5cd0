using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// A pseudo-terminal whose master this process holds, with its program running as a job of the sandbox's agent (see
/// <see cref="LocalTerminals"/>). The program's pid, exit status and kill go through the job; the terminal's data
/// through the master, which is non-blocking so that neither a silent nor a stalled program can hold a caller past its
/// cancellation.
/// </summary>
internal sealed class LocalPtySession : PtySession
{
    private readonly LocalSandbox _sandbox;
    // A SafeHandle, so a read or write in flight on another thread keeps the descriptor from being closed (and its
    // number reused) under it.
    private readonly SafeFileHandle _master;
    private readonly JobFiles _job;
    private readonly Action<LocalPtySession> _onClosed;
    private readonly object _sizeLock = new();
    private PtyInfo _info;
    private int _closed;
    private int? _exitCode;

    public LocalPtySession(LocalSandbox sandbox, int master, JobFiles job, int pid, int rows, int cols, Action<LocalPtySession> onClosed)
    {
        _sandbox = sandbox;
        _master = new SafeFileHandle(master, ownsHandle: true);
        _job = job;
        _info = new PtyInfo(pid, rows, cols);
        _onClosed = onClosed;
    }

    public override int Pid => _info.Pid;

    public override PtyInfo Info
    {
        get
        {
            lock (_sizeLock)
            {
                return _info;
            }
        }
    }

    public override unsafe ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A poll loop on a dedicated thread; the master returns EIO once every slave is closed, which is end-of-file.
        return new ValueTask<int>(Task.Factory.StartNew(() =>
        {
            using var pin = buffer.Pin();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Volatile.Read(ref _closed) != 0)
                {
                    return 0;
                }

                var n = WithMaster(fd =>
                {
                    var poll = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
                    if (LibC.Poll(&poll, 1, 100) == 0)
                    {
                        Marshal.SetLastPInvokeError(LibC.EAGAIN);
                        return -1;
                    }

                    return (int)LibC.Read(fd, (byte*)pin.Pointer, (nuint)buffer.Length);
                }, closed: 0);
                if (n >= 0)
                {
                    return n;
                }

                if (LibC.LastError is LibC.EINTR or LibC.EAGAIN)
                {
                    continue;
                }

                return 0;
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var written = 0;
        var delay = 1;
        while (written < data.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Write(data.Span[written..]);
            if (n > 0)
            {
                written += n;
                delay = 1;
                continue;
            }

            if (n < 0 && LibC.LastError is LibC.EINTR or LibC.EAGAIN)
            {
                // The program is not reading and the terminal's buffer is full: wait, but never past the caller's token.
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(50, delay * 2);
                continue;
            }

            throw new SandboxStateException(LocalProvider.ProviderId, _sandbox.Id, SandboxStatus.Stopped, "The terminal is closed.");
        }
    }

    public override ValueTask ResizeAsync(int rows, int cols, CancellationToken cancellationToken = default)
    {
        lock (_sizeLock)
        {
            WithMaster(fd =>
            {
                LocalTerminals.SetSize(fd, rows, cols);
                return 0;
            }, closed: 0);
            _info = _info with { Rows = rows, Cols = cols };
        }

        return ValueTask.CompletedTask;
    }

    public override async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        if (_exitCode is { } known)
        {
            return known;
        }

        try
        {
            var result = await _sandbox.Commands.WaitAsync(_job.Id, cancellationToken).ConfigureAwait(false);
            _exitCode ??= result.ExitCode;
        }
        catch (SandboxStateException) when (!_sandbox.IsAlive)
        {
            _exitCode ??= 137; // the sandbox went, and the program with it
        }
        catch (NotFoundException)
        {
            _exitCode ??= -1; // the job's files are gone (the sandbox removed them)
        }

        return _exitCode.Value;
    }

    public override ValueTask KillAsync(CancellationToken cancellationToken = default)
    {
        if (_exitCode is null)
        {
            _sandbox.KillJob(_job);
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        // Closing the master hangs up the terminal: the program gets SIGHUP, as when a terminal window closes.
        _master.Dispose();
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            // The sandbox is gone: so is the program.
        }

        try
        {
            using var run = _sandbox.OpenRunDirectory();
            LocalSandbox.RemoveJob(run, _job);
        }
        catch (SandboxException)
        {
        }

        _onClosed(this);
        GC.SuppressFinalize(this);
    }

    private unsafe int Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var address = (nint)p;
            var length = (nuint)data.Length;
            return WithMaster(fd => (int)LibC.Write(fd, (byte*)address, length), closed: 0);
        }
    }

    // Runs a call on the master's descriptor, or returns closed once it has been closed.
    private int WithMaster(Func<int, int> call, int closed)
    {
        var added = false;
        try
        {
            _master.DangerousAddRef(ref added);
            return call((int)_master.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            return closed;
        }
        finally
        {
            if (added)
            {
                _master.DangerousRelease();
            }
        }
    }
}
