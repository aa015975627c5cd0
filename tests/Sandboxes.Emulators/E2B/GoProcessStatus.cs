using System.Globalization;
using Sandboxes.Emulators.E2B.Rpc.Process;

namespace Sandboxes.Emulators.E2B;

/// <summary>
/// envd's end event for an exit status, written as envd fills it from Go's <c>ProcessState</c>: a normal exit has
/// <c>exited</c> set, the code and <c>exit status N</c> (and that text as the error when N is not 0); a death by signal
/// has exit code -1, <c>exited</c> false and <c>signal: NAME</c> as status and error.
/// </summary>
internal static class GoProcessStatus
{
    private static readonly string[] SignalNames =
    [
        "", "hangup", "interrupt", "quit", "illegal instruction", "trace/breakpoint trap", "aborted", "bus error",
        "floating point exception", "killed", "user defined signal 1", "segmentation fault", "user defined signal 2",
        "broken pipe", "alarm clock", "terminated",
    ];

    /// <summary>The end event of a process that exited with <paramref name="exitCode"/>, or was killed by <paramref name="signal"/>.</summary>
    public static ProcessEvent End(int exitCode, int? signal)
    {
        ProcessEvent.Types.EndEvent end;
        if (signal is { } s)
        {
            var text = "signal: " + (s > 0 && s < SignalNames.Length ? SignalNames[s] : "signal " + s.ToString(CultureInfo.InvariantCulture));
            end = new ProcessEvent.Types.EndEvent { ExitCode = -1, Exited = false, Status = text, Error = text };
        }
        else
        {
            var text = "exit status " + exitCode.ToString(CultureInfo.InvariantCulture);
            end = new ProcessEvent.Types.EndEvent { ExitCode = exitCode, Exited = true, Status = text };
            if (exitCode != 0)
            {
                end.Error = text;
            }
        }

        return new ProcessEvent { End = end };
    }
}
