using System.Globalization;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// How a process ended, read from envd's end event: an exit code, or the signal that killed it (envd reports Go's
/// <c>ProcessState</c>: <c>exited</c> false, exit code -1 and a status such as <c>signal: killed</c>). Signals become
/// 128 + N, as a shell reports them, never -1.
/// </summary>
/// <param name="ExitCode">The exit code; 128 + N for signal N.</param>
/// <param name="Signal">The signal that killed the process, or null.</param>
internal readonly record struct ProcessEnd(int ExitCode, int? Signal)
{
    // Go's names of the Linux signals (its ProcessState.String() prints "signal: " and one of them).
    private static readonly string[] SignalNames =
    [
        "", "hangup", "interrupt", "quit", "illegal instruction", "trace/breakpoint trap", "aborted", "bus error",
        "floating point exception", "killed", "user defined signal 1", "segmentation fault", "user defined signal 2",
        "broken pipe", "alarm clock", "terminated",
    ];

    /// <summary>The error text of a command killed by a signal, or null.</summary>
    public string? Error => Signal is not null ? ExitStatus.KilledBy(ExitCode) : null;

    /// <summary>Reads an end event.</summary>
    public static ProcessEnd From(ProcessEvent.Types.EndEvent end)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (end.Exited)
        {
            return new ProcessEnd(end.ExitCode, null);
        }

        var signal = ParseSignal(end.Status) ?? ParseSignal(end.Error ?? string.Empty);
        return signal is { } s ? new ProcessEnd(128 + s, s) : new ProcessEnd(end.ExitCode >= 0 ? end.ExitCode : 128 + 9, end.ExitCode >= 0 ? null : 9);
    }

    private static int? ParseSignal(string status)
    {
        const string prefix = "signal: ";
        if (!status.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var name = status[prefix.Length..].Replace(" (core dumped)", string.Empty, StringComparison.Ordinal).Trim();
        var index = Array.IndexOf(SignalNames, name);
        if (index > 0)
        {
            return index;
        }

        return name.StartsWith("signal ", StringComparison.Ordinal) && int.TryParse(name.AsSpan(7), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;
    }
}
