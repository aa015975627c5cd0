using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sandboxes.Providers.Local;

/// <summary>
/// A pseudo-terminal whose master this process holds. The program runs inside the sandbox with the terminal's slave as
/// its controlling terminal (<c>setsid -c</c> after the shell opened the slave on fds 0-2), so job control, Ctrl-C and
/// SIGWINCH behave as on a real terminal. No fork happens in managed code: .NET starts a shell that does the rest.
/// </summary>
internal sealed class LocalPtySession : PtySession
{
    private readonly int _master;
    private readonly Process _process;
    private readonly Action<LocalPtySession> _onClosed;
    private readonly object _sizeLock = new();
    private PtyInfo _info;
    private int _closed;
    private int? _exitCode;

    private LocalPtySession(int master, Process process, int pid, int rows, int cols, Action<LocalPtySession> onClosed)
    {
        _master = master;
        _process = process;
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

    /// <summary>Opens a terminal and starts <paramref name="argv"/> on it through <paramref name="launcher"/>.</summary>
    /// <param name="devRoot">Where the terminal's /dev is: the sandbox's (<c>/proc/PID/root/dev</c>), so that the program
    /// finds its terminal by name (<c>tty</c>), or the host's <c>/dev</c>.</param>
    /// <param name="launcher">A shell script run by /bin/sh with the slave path as $1 and argv after it.</param>
    /// <param name="argv">The launch command and its arguments.</param>
    /// <param name="environment">The program's environment.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="findPid">Maps the launcher's host pid to the program's pid inside the sandbox, once it exists.</param>
    /// <param name="onClosed">Called once the session ends.</param>
    public static unsafe LocalPtySession Start(string devRoot, string launcher, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment,
        int rows, int cols, Func<int, int?> findPid, Action<LocalPtySession> onClosed)
    {
        var master = LibC.Open(devRoot + "/ptmx", LibC.O_RDWR | LibC.O_NOCTTY);
        if (master < 0 || LibC.GrantPt(master) != 0 || LibC.UnlockPt(master) != 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, "Could not open a pseudo-terminal: " + LibC.ErrorText(LibC.LastError));
        }

        try
        {
            var name = new byte[128];
            fixed (byte* p = name)
            {
                if (LibC.PtsNameR(master, p, (nuint)name.Length) != 0)
                {
                    throw new ProviderException(LocalProvider.ProviderId, "ptsname failed: " + LibC.ErrorText(LibC.LastError));
                }
            }

            // ptsname names the slave as the process that owns the devpts instance sees it: "/dev/pts/N".
            var slave = devRoot + System.Text.Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0))["/dev".Length..];
            SetSize(master, rows, cols);
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.Environment.Clear();
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(launcher);
            start.ArgumentList.Add("pty-launcher");
            start.ArgumentList.Add(slave);
            foreach (var arg in argv)
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start) ?? throw new ProviderException(LocalProvider.ProviderId, "Could not start the terminal's program.");
            int? pid = null;
            for (var i = 0; i < 2000 && pid is null && !process.HasExited; i++)
            {
                pid = findPid(process.Id);
                if (pid is null)
                {
                    Thread.Sleep(1);
                }
            }

            return new LocalPtySession(master, process, pid ?? 0, rows, cols, onClosed);
        }
        catch
        {
            LibC.Close(master);
            throw;
        }
    }

    public override unsafe ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A blocking read on a dedicated thread; the master returns EIO once every slave is closed, which is end-of-file.
        return new ValueTask<int>(Task.Factory.StartNew(() =>
        {
            using var pin = buffer.Pin();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var poll = new LibC.PollFd { Fd = _master, Events = LibC.POLLIN };
                var ready = LibC.Poll(&poll, 1, 100);
                if (ready == 0)
                {
                    if (Volatile.Read(ref _closed) != 0)
                    {
                        return 0;
                    }

                    continue;
                }

                var n = (int)LibC.Read(_master, (byte*)pin.Pointer, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return n;
                }

                var error = LibC.LastError;
                if (error is LibC.EINTR or LibC.EAGAIN)
                {
                    continue;
                }

                return 0;
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    public override unsafe ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var span = data.Span;
        fixed (byte* p = span)
        {
            var written = 0;
            while (written < span.Length)
            {
                var n = (int)LibC.Write(_master, p + written, (nuint)(span.Length - written));
                if (n < 0)
                {
                    if (LibC.LastError is LibC.EINTR or LibC.EAGAIN)
                    {
                        continue;
                    }

                    throw new SandboxStateException(LocalProvider.ProviderId, string.Empty, SandboxStatus.Stopped, "The terminal is closed.");
                }

                written += n;
            }
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask ResizeAsync(int rows, int cols, CancellationToken cancellationToken = default)
    {
        lock (_sizeLock)
        {
            SetSize(_master, rows, cols);
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

        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        _exitCode ??= _process.ExitCode;
        return _exitCode.Value;
    }

    public override ValueTask KillAsync(CancellationToken cancellationToken = default)
    {
        if (_exitCode is null)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already exited
            }
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
        LibC.Close(_master);
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync(CancellationToken.None).ConfigureAwait(false);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _exitCode ??= _process.ExitCode;
        _process.Dispose();
        _onClosed(this);
        GC.SuppressFinalize(this);
    }

    private static unsafe void SetSize(int fd, int rows, int cols)
    {
        var size = new LibC.WinSize { Rows = (ushort)rows, Cols = (ushort)cols };
        if (LibC.Ioctl(fd, LibC.TIOCSWINSZ, &size) != 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, "Could not resize the terminal: " + Marshal.GetPInvokeErrorMessage(LibC.LastError));
        }
    }
}
