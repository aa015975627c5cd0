using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Sandboxes.Cli.Terminal;

/// <summary>
/// Puts the user's terminal into raw mode (cfmakeraw: every key goes to the sandbox as typed, Ctrl-C included, nothing
/// echoed locally) and puts it back exactly as it was (the saved termios) on dispose, at process exit, and the moment
/// SIGTERM, SIGHUP or SIGQUIT arrives, so that no ending leaves the user's shell without echo. Re-applies raw mode on
/// SIGCONT, after a job-control stop, since the parent shell restores its own settings meanwhile.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed unsafe class RawTerminal : IDisposable
{
    private readonly int _fd;
    private readonly byte[] _saved;
    private readonly byte[] _raw;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly EventHandler _onExit;
    private int _restored;

    private RawTerminal(int fd, byte[] saved, byte[] raw)
    {
        _fd = fd;
        _saved = saved;
        _raw = raw;
        _onExit = (_, _) => Restore();
    }

    /// <summary>Enters raw mode on <paramref name="fd"/>; null when it is not a terminal (input is piped).</summary>
    /// <exception cref="IOException">The terminal refused the new settings.</exception>
    public static RawTerminal? Enter(int fd = NativeTerminal.StdIn)
    {
        if (NativeTerminal.IsATty(fd) != 1)
        {
            return null;
        }

        var saved = new byte[NativeTerminal.TermiosSize];
        var raw = new byte[NativeTerminal.TermiosSize];
        fixed (byte* s = saved)
        {
            if (NativeTerminal.TcGetAttr(fd, s) != 0)
            {
                return null;
            }
        }

        saved.CopyTo(raw, 0);
        fixed (byte* r = raw)
        {
            NativeTerminal.CfMakeRaw(r);
        }

        var terminal = new RawTerminal(fd, saved, raw);
        terminal.Apply(raw);
        AppDomain.CurrentDomain.ProcessExit += terminal._onExit;
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
        {
            // Restore only; whether the process ends is the global handler's decision (Interrupts).
            terminal._registrations.Add(PosixSignalRegistration.Create(signal, _ => terminal.Restore()));
        }

        terminal._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGCONT, _ =>
        {
            try
            {
                if (Volatile.Read(ref terminal._restored) == 0)
                {
                    terminal.Apply(terminal._raw);
                }
            }
            catch (IOException)
            {
                // Nothing to do from a signal handler; the session goes on in whatever mode the terminal is in.
            }
        }));
        return terminal;
    }

    /// <summary>True once the original settings are back.</summary>
    public bool IsRestored => Volatile.Read(ref _restored) != 0;

    /// <summary>Puts the saved settings back; safe to call from any thread, any number of times.</summary>
    public void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
        {
            return;
        }

        // Errors are ignored: after a hang-up there is no terminal left to restore.
        fixed (byte* s = _saved)
        {
            _ = NativeTerminal.TcSetAttr(_fd, NativeTerminal.TCSANOW, s);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Restore();
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Apply(byte[] settings)
    {
        fixed (byte* p = settings)
        {
            if (NativeTerminal.TcSetAttr(_fd, NativeTerminal.TCSANOW, p) != 0)
            {
                throw new IOException("Could not switch the terminal to raw mode: " + Marshal.GetPInvokeErrorMessage(NativeTerminal.LastError));
            }
        }
    }
}
