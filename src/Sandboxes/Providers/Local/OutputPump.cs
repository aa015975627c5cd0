using System.Diagnostics;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Reads a foreground job's stdout and stderr FIFOs and its status FIFO with poll(2) on one dedicated thread, handing
/// each chunk to a sink as it arrives. The sink may block (a bounded channel), which stops reading and so stops the
/// command once the pipe fills: output of any size passes in bounded memory.
/// </summary>
internal sealed unsafe class OutputPump
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Receives chunks: 1 = stdout, 2 = stderr.</summary>
    public delegate void ChunkSink(int stream, ReadOnlySpan<byte> data);

    /// <summary>
    /// Pumps until both output streams are at end-of-file and the exit status has arrived. <paramref name="check"/> is
    /// called between polls and may throw or ask to stop; it returns the deadline-driven action (see <see cref="PumpCheck"/>).
    /// Returns the exit status, or null when <paramref name="check"/> ended the wait.
    /// </summary>
    public static int? Run(int stdoutFd, int stderrFd, int statusFd, ChunkSink sink, Func<PumpCheck> check)
    {
        var fds = stackalloc LibC.PollFd[3];
        fds[0] = new LibC.PollFd { Fd = stdoutFd, Events = LibC.POLLIN };
        fds[1] = new LibC.PollFd { Fd = stderrFd, Events = LibC.POLLIN };
        fds[2] = new LibC.PollFd { Fd = statusFd, Events = LibC.POLLIN };
        var open = new[] { true, true, true };
        var buffer = new byte[ChunkSize];
        var status = new List<byte>();
        int? exitCode = null;
        long? closeAfter = null;

        while (open[0] || open[1] || exitCode is null)
        {
            var ready = LibC.Poll(fds, 3, 50);
            if (ready < 0 && LibC.LastError != LibC.EINTR)
            {
                throw new ProviderException(LocalProvider.ProviderId, "poll failed: " + LibC.ErrorText(LibC.LastError));
            }

            for (var i = 0; i < 3; i++)
            {
                if (!open[i] || (fds[i].Revents & (LibC.POLLIN | LibC.POLLHUP | LibC.POLLERR)) == 0)
                {
                    continue;
                }

                int n;
                fixed (byte* p = buffer)
                {
                    n = (int)LibC.Read(fds[i].Fd, p, ChunkSize);
                }

                if (n > 0)
                {
                    if (i < 2)
                    {
                        sink(i + 1, buffer.AsSpan(0, n));
                    }
                    else
                    {
                        status.AddRange(buffer.AsSpan(0, n).ToArray());
                        if (status.Contains((byte)'\n'))
                        {
                            exitCode = int.TryParse(System.Text.Encoding.ASCII.GetString(status.ToArray()).Trim(), out var code) ? code : -1;
                            open[2] = false;
                            fds[2].Fd = -1;
                        }
                    }
                }
                else if (n == 0 || LibC.LastError is not (LibC.EAGAIN or LibC.EINTR))
                {
                    // End of file. A status FIFO closes without a line only if the agent died mid-write.
                    open[i] = false;
                    fds[i].Fd = -1;
                }
            }

            // After the exit, a process the command left in the background may hold the output open; read what is
            // already there, then stop waiting for it.
            if (exitCode is not null && (open[0] || open[1]))
            {
                closeAfter ??= Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
                if (Stopwatch.GetTimestamp() > closeAfter && ready == 0)
                {
                    break;
                }
            }

            if (ready == 0 || exitCode is null)
            {
                switch (check())
                {
                    case PumpCheck.Stop:
                        return exitCode;
                    case PumpCheck.Continue:
                        break;
                }
            }
        }

        return exitCode;
    }
}

/// <summary>What the pump should do after a check.</summary>
internal enum PumpCheck
{
    Continue,
    Stop,
}
