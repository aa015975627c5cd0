using System.Runtime.Versioning;

namespace Sandboxes.Cli.Terminal;

/// <summary>
/// Puts back the terminal modes a session may leave behind besides termios: the program in the sandbox can die with
/// bracketed paste, mouse reporting or a hidden cursor switched on, and .NET's console switches the keypad to
/// application mode when it starts. Each sequence only sets a mode to its default, so writing them is harmless when
/// nothing was changed.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class TerminalModes
{
    // Bracketed paste off, mouse reporting off (X10, button, any-event, SGR), cursor visible, normal cursor keys, numeric keypad.
    private static readonly byte[] Defaults = "\u001b[?2004l\u001b[?1000l\u001b[?1002l\u001b[?1003l\u001b[?1006l\u001b[?25h\u001b[?1l\u001b>"u8.ToArray();
    private static int _registered;

    /// <summary>Resets the modes now, and again when the process exits (after the tool's last message).</summary>
    public static void ResetNowAndAtExit()
    {
        Reset();
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Reset();
        }
    }

    private static void Reset()
    {
        if (NativeTerminal.IsATty(NativeTerminal.StdOut) == 1)
        {
            NativeTerminal.WriteAll(NativeTerminal.StdOut, Defaults);
        }
    }
}
