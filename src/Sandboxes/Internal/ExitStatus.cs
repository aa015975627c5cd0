using System.Globalization;

namespace Sandboxes;

/// <summary>What a shell's exit status says about how a process ended (128 + N: killed by signal N).</summary>
internal static class ExitStatus
{
    /// <summary>"Killed by signal 9 (SIGKILL)." for a status above 128, else null.</summary>
    public static string? KilledBy(int exitCode) =>
        exitCode is > 128 and < 128 + 65 ? $"Killed by signal {exitCode - 128} ({SignalName(exitCode - 128)})." : null;

    /// <summary>The usual name of a Linux signal number.</summary>
    public static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "signal " + signal.ToString(CultureInfo.InvariantCulture),
    };
}
