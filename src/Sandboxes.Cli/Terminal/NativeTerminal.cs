using System.Runtime.InteropServices;

namespace Sandboxes.Cli.Terminal;

/// <summary>
/// The few libc calls an interactive terminal needs and .NET does not expose: termios (raw mode and its undo), the
/// window size, and poll, read and write on the standard descriptors. Going to libc directly keeps .NET's own console
/// layer (which reconfigures the terminal around Console input) out of the way. The tool declares its own: the library
/// keeps its system calls internal.
/// </summary>
internal static unsafe partial class NativeTerminal
{
    private const string Lib = "libc";

    /// <summary>Standard input.</summary>
    public const int StdIn = 0;

    /// <summary>Standard output.</summary>
    public const int StdOut = 1;

    /// <summary>Standard error.</summary>
    public const int StdErr = 2;

    /// <summary>tcsetattr: apply at once.</summary>
    public const int TCSANOW = 0;

    /// <summary>
    /// Room for <c>struct termios</c>, treated as opaque: the tool only saves, raws (cfmakeraw) and restores it. glibc's is
    /// 60 bytes on x86-64 and arm64; the margin covers any other layout.
    /// </summary>
    public const int TermiosSize = 256;

    /// <summary>errno: interrupted by a signal.</summary>
    public const int EINTR = 4;

    /// <summary>errno: nothing to read or no room to write now (a non-blocking descriptor).</summary>
    public const int EAGAIN = 11;

    /// <summary>poll: data to read.</summary>
    public const short POLLIN = 0x1;

    /// <summary>ioctl: get the window size.</summary>
    private const nuint TIOCGWINSZ = 0x5413;

    /// <summary>The errno of the last failed call on this thread.</summary>
    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>read(2).</summary>
    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    /// <summary>poll(2).</summary>
    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>isatty(3).</summary>
    [LibraryImport(Lib, EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    /// <summary>tcgetattr(3).</summary>
    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, byte* termios);

    /// <summary>tcsetattr(3).</summary>
    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int optionalActions, byte* termios);

    /// <summary>cfmakeraw(3): no echo, no line editing, no signals from keys, no output processing, 8-bit bytes.</summary>
    [LibraryImport(Lib, EntryPoint = "cfmakeraw")]
    public static partial void CfMakeRaw(byte* termios);

    /// <summary>Writes every byte to <paramref name="fd"/>; false when the descriptor is closed or broken.</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = (int)Write(fd, p + written, (nuint)(data.Length - written));
                if (n < 0)
                {
                    if (LastError is EINTR or EAGAIN)
                    {
                        continue;
                    }

                    return false;
                }

                written += n;
            }
        }

        return true;
    }

    /// <summary>The window size of the first of stdin, stdout and stderr that is a terminal, or null.</summary>
    public static (int Rows, int Cols)? WindowSize()
    {
        foreach (var fd in new[] { StdIn, StdOut, StdErr })
        {
            WinSize size;
            if (Ioctl(fd, TIOCGWINSZ, &size) == 0 && size.Rows > 0 && size.Cols > 0)
            {
                return (size.Rows, size.Cols);
            }
        }

        return null;
    }

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, WinSize* size);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        /// <summary>The descriptor.</summary>
        public int Fd;

        /// <summary>The events asked for.</summary>
        public short Events;

        /// <summary>The events that happened.</summary>
        public short Revents;
    }

    /// <summary>struct winsize.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixel;
        public ushort YPixel;
    }
}
