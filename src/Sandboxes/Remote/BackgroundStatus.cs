using System.Globalization;

namespace Sandboxes.Remote;

/// <summary>
/// The status file a background command's wrapper (or its watchdog, or a follower that found the wrapper gone) writes
/// when the command ends: <c>exit oom timedout timeout</c>, for example <c>137 1 0 -</c>.
/// </summary>
/// <param name="ExitCode">The command's exit code (128 + N when signal N killed it; -1 when nobody could wait for it).</param>
/// <param name="OutOfMemory">True when the memory cgroup killed it.</param>
/// <param name="TimedOut">True when its timeout killed it.</param>
/// <param name="Timeout">Its timeout in seconds, when it had one.</param>
internal sealed record BackgroundStatus(int ExitCode, bool OutOfMemory, bool TimedOut, double? Timeout)
{
    /// <summary>Parses the file's one line.</summary>
    /// <exception cref="ProviderException">The file is not a status line.</exception>
    public static BackgroundStatus Parse(string providerId, string text)
    {
        var fields = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3 || !int.TryParse(fields[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exit))
        {
            throw new ProviderException(providerId, $"A background command's status file is malformed: '{text.Trim()}'.");
        }

        return new BackgroundStatus(
            exit,
            fields[1] == "1",
            fields[2] == "1",
            fields.Length > 3 && double.TryParse(fields[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var timeout) ? timeout : null);
    }
}
