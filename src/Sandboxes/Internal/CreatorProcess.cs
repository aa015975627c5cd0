using System.Globalization;
using Sandboxes.Isolation;

namespace Sandboxes.Internal;

/// <summary>
/// Names the process that creates a sandbox so that any later client on the same machine can tell whether it is still
/// alive: machine id, boot id, pid and the pid's start time (a pid the kernel reused belongs to another process). A
/// sandbox that is not kept goes when its creator's process ends, however it ends; this is how a crashed creator's
/// sandboxes are found.
/// </summary>
internal static class CreatorProcess
{
    private static readonly Lazy<string> MachineId = new(() => Read("/etc/machine-id"));

    private static readonly Lazy<string> BootId = new(() => Read("/proc/sys/kernel/random/boot_id"));

    private static readonly Lazy<string> CurrentValue = new(() => string.Join('/', MachineId.Value, BootId.Value,
        Environment.ProcessId.ToString(CultureInfo.InvariantCulture), (ProcessTable.StartTime(Environment.ProcessId) ?? 0).ToString(CultureInfo.InvariantCulture)));

    /// <summary>This process, as a label value.</summary>
    public static string Current => CurrentValue.Value;

    /// <summary>
    /// True when the named process has ended (on this machine: it is gone, or the machine has restarted since), false
    /// when it runs, null when it cannot be known (another machine, or a value this code did not write).
    /// </summary>
    public static bool? HasEnded(string? creator)
    {
        var parts = creator?.Split('/');
        if (parts is not { Length: 4 } || parts[0].Length == 0 || parts[0] != MachineId.Value
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !ulong.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        return parts[1] != BootId.Value || !ProcessTable.IsAlive(pid, start);
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
