using System.Runtime.InteropServices;
using Sandboxes.Providers.Local;
using Sandboxes.Isolation;

namespace Sandboxes.Cli.Terminal;

/// <summary>
/// The few libc calls an interactive terminal needs and .NET does not expose: termios (raw mode and its undo) and the
/// window size; poll, read and write are the library's own <see cref="LibC"/> calls. Going to libc directly keeps
/// .NET's own console layer (which reconfigures the terminal around Console input) out of the way.
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

    /// <summary>The errno of the last failed call on this thread.</summary>
    public static int LastError => LibC.LastError;

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
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data) => LibC.TryWriteAll(fd, data);

    /// <summary>The window size of the first of stdin, stdout and stderr that is a terminal, or null.</summary>
    public static (int Rows, int Cols)? WindowSize()
    {
        foreach (var fd in new[] { StdIn, StdOut, StdErr })
        {
            LibC.WinSize size;
            if (LibC.Ioctl(fd, LibC.TIOCGWINSZ, &size) == 0 && size.Rows > 0 && size.Cols > 0)
            {
                return (size.Rows, size.Cols);
            }
        }

        return null;
    }
}
