using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Sandboxes.Cli.Terminal;

/// <summary>
/// Connects the user's terminal to a <see cref="PtySession"/> in a sandbox: keys (read from fd 0 on a dedicated
/// thread) go to the sandbox's terminal, its output goes to fd 1 as it comes, and every SIGWINCH becomes a
/// <see cref="PtySession.ResizeAsync"/> with the new size. Ends when the program on the terminal exits and returns its
/// exit code. The caller owns raw mode (<see cref="RawTerminal"/>).
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class PtyBridge
{
    private const byte EndOfTransmission = 0x04;
    private readonly PtySession _session;
    private readonly bool _inputIsTerminal;
    private readonly (int Rows, int Cols)? _openedWith;

    /// <summary>
    /// Creates a bridge; <paramref name="inputIsTerminal"/> is false when stdin is piped (its end then sends Ctrl-D);
    /// <paramref name="openedWith"/> is the size the sandbox's terminal was opened with.
    /// </summary>
    public PtyBridge(PtySession session, bool inputIsTerminal, (int Rows, int Cols)? openedWith)
    {
        _session = session;
        _inputIsTerminal = inputIsTerminal;
        _openedWith = openedWith;
    }

    /// <summary>Runs until the program on the terminal exits; returns its exit code.</summary>
    /// <exception cref="OperationCanceledException">The tool was interrupted (a signal); the caller cleans up.</exception>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var resized = new SemaphoreSlim(0);
        using var winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => resized.Release());
        resized.Release(); // a resize between opening the terminal and registering for SIGWINCH must not be lost
        var input = new Thread(() => PumpInput(stop.Token)) { IsBackground = true, Name = "sandboxes shell input" };
        input.Start();
        var output = PumpOutputAsync(stop.Token);
        var resizes = ForwardResizesAsync(resized, stop.Token);
        var exit = _session.WaitForExitAsync(stop.Token);
        try
        {
            if (await Task.WhenAny(output, exit).ConfigureAwait(false) == exit)
            {
                // The program is gone; what it printed last may still be in flight (a background job may also hold the
                // terminal open forever, so do not wait for end-of-file longer than a moment).
                await Task.WhenAny(output, Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None)).ConfigureAwait(false);
            }

            return await exit.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(Swallow(output), Swallow(resizes)).ConfigureAwait(false);
            input.Join(TimeSpan.FromMilliseconds(500));
        }
    }

    private async Task PumpOutputAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (!cancellationToken.IsCancellationRequested)
        {
            var n = await _session.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n <= 0 || !NativeTerminal.WriteAll(NativeTerminal.StdOut, buffer.AsSpan(0, n)))
            {
                return;
            }
        }
    }

    private unsafe void PumpInput(CancellationToken cancellationToken)
    {
        // poll with a short timeout rather than a blocking read, so the thread ends with the session and never swallows
        // a key typed after the shell is gone.
        var buffer = new byte[4096];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var poll = new NativeTerminal.PollFd { Fd = NativeTerminal.StdIn, Events = NativeTerminal.POLLIN };
                var ready = NativeTerminal.Poll(&poll, 1, 100);
                if (ready == 0 || (ready < 0 && NativeTerminal.LastError == NativeTerminal.EINTR))
                {
                    continue;
                }

                int n;
                fixed (byte* p = buffer)
                {
                    n = (int)NativeTerminal.Read(NativeTerminal.StdIn, p, (nuint)buffer.Length);
                }

                if (n < 0 && NativeTerminal.LastError is NativeTerminal.EINTR or NativeTerminal.EAGAIN)
                {
                    continue;
                }

                if (n <= 0)
                {
                    // End of piped input: the terminal's end-of-file key, so a shell reading it exits as it would on Ctrl-D.
                    if (!_inputIsTerminal)
                    {
                        _session.WriteAsync(new[] { EndOfTransmission }, cancellationToken).AsTask().GetAwaiter().GetResult();
                    }

                    return;
                }

                _session.WriteAsync(buffer.AsMemory(0, n), cancellationToken).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SandboxException or IOException or ObjectDisposedException)
        {
            // The terminal closed under us: the session is ending, and RunAsync reports how.
        }
    }

    private async Task ForwardResizesAsync(SemaphoreSlim resized, CancellationToken cancellationToken)
    {
        var last = _openedWith;
        while (!cancellationToken.IsCancellationRequested)
        {
            await resized.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (NativeTerminal.WindowSize() is { } size && size != last)
            {
                last = size;
                await _session.ResizeAsync(size.Rows, size.Cols, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task Swallow(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SandboxException or IOException or ObjectDisposedException)
        {
            // Pumps end by cancellation or a closed terminal; the exit code tells the story.
        }
    }
}
