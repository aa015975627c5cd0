using System.Runtime.InteropServices;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// One thread that reads the output FIFOs of every running foreground command of this process with poll(2), so that a
/// command costs no thread of its own. Handlers run on this thread and must not block: a handler that cannot take more
/// data pauses its watch, the pipe fills, and the command waits (bounded memory); it resumes the watch later.
/// </summary>
internal sealed unsafe partial class FifoPoller
{
    // Chunks become strings: at 32 KiB they stay below the large object heap (85 KB), whose allocations would cost more
    // than the reads saved. A ready descriptor is read several times per wake instead.
    private const int ChunkSize = 32 * 1024;
    private const int ReadsPerWake = 32;
    private readonly object _lock = new();
    private readonly List<FifoWatch> _watches = [];
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly byte[] _buffer = new byte[ChunkSize];

    private FifoPoller()
    {
        var fds = stackalloc int[2];
        if (Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, "pipe2 failed: " + LibC.ErrorText(LibC.LastError));
        }

        _wakeRead = fds[0];
        _wakeWrite = fds[1];
        new Thread(Loop) { IsBackground = true, Name = "sandbox-fifo-poller" }.Start();
    }

    /// <summary>The poller of this process.</summary>
    public static FifoPoller Shared => LazyShared.Value;

    private static readonly Lazy<FifoPoller> LazyShared = new(() => new FifoPoller());

    /// <summary>Starts watching <paramref name="watch"/>'s descriptors.</summary>
    public void Add(FifoWatch watch)
    {
        lock (_lock)
        {
            _watches.Add(watch);
        }

        Wake();
    }

    /// <summary>Makes the poll loop rebuild its descriptor set (a watch was added, resumed or finished).</summary>
    public void Wake()
    {
        byte one = 1;
        LibC.Write(_wakeWrite, &one, 1);
    }

    private void Loop()
    {
        var pollFds = new List<LibC.PollFd>();
        var drain = stackalloc byte[256];
        var owners = new List<(FifoWatch Watch, int Index)>();
        while (true)
        {
            pollFds.Clear();
            owners.Clear();
            pollFds.Add(new LibC.PollFd { Fd = _wakeRead, Events = LibC.POLLIN });
            owners.Add((null!, -1));
            lock (_lock)
            {
                foreach (var finished in _watches.Where(w => w.IsFinished))
                {
                    foreach (var fd in finished.Owned)
                    {
                        LibC.Close(fd);
                    }
                }

                _watches.RemoveAll(w => w.IsFinished);
                foreach (var watch in _watches)
                {
                    if (watch.IsPaused)
                    {
                        continue;
                    }

                    for (var i = 0; i < watch.Fds.Length; i++)
                    {
                        if (watch.Fds[i] >= 0)
                        {
                            pollFds.Add(new LibC.PollFd { Fd = watch.Fds[i], Events = LibC.POLLIN });
                            owners.Add((watch, i));
                        }
                    }
                }
            }

            var array = CollectionsMarshal.AsSpan(pollFds);
            int ready;
            fixed (LibC.PollFd* p = array)
            {
                ready = LibC.Poll(p, (nuint)array.Length, -1);
            }

            if (ready <= 0)
            {
                continue;
            }

            if ((array[0].Revents & LibC.POLLIN) != 0)
            {
                while (LibC.Read(_wakeRead, drain, 256) > 0)
                {
                }
            }

            for (var k = 1; k < array.Length; k++)
            {
                if ((array[k].Revents & (LibC.POLLIN | LibC.POLLHUP | LibC.POLLERR)) == 0)
                {
                    continue;
                }

                var (watch, index) = owners[k];
                if (watch.IsPaused || watch.IsFinished || watch.Fds[index] < 0)
                {
                    continue;
                }

                for (var reads = 0; reads < ReadsPerWake && !watch.IsPaused && !watch.IsFinished && watch.Fds[index] >= 0; reads++)
                {
                    int n;
                    fixed (byte* b = _buffer)
                    {
                        n = (int)LibC.Read(watch.Fds[index], b, ChunkSize);
                    }

                    if (n > 0)
                    {
                        watch.Deliver(index, _buffer.AsSpan(0, n));
                        if (n < ChunkSize)
                        {
                            break; // drained for now
                        }
                    }
                    else
                    {
                        if (n == 0 || LibC.LastError is not (LibC.EAGAIN or LibC.EINTR))
                        {
                            watch.EndOfFile(index);
                        }

                        break;
                    }
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);
}
