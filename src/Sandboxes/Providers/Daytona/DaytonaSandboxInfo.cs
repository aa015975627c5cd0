using System.Globalization;
using Sandboxes.Providers.Daytona.Api;

namespace Sandboxes.Providers.Daytona;

/// <summary>Describes Daytona sandboxes as <see cref="SandboxInfo"/>.</summary>
internal static class DaytonaSandboxInfo
{
    /// <summary>From the full sandbox (create, get, start).</summary>
    public static SandboxInfo From(Api.Sandbox sandbox) =>
        Describe(sandbox.Id, sandbox.Name, sandbox.Snapshot, sandbox.State, sandbox.Labels, sandbox.Cpu, sandbox.Memory, sandbox.CreatedAt, sandbox.AutoDestroyAt);

    /// <summary>From a listing's item.</summary>
    public static SandboxInfo From(SandboxListItem item) =>
        Describe(item.Id, item.Name, item.Snapshot, item.State, item.Labels, item.Cpu, item.Memory, item.CreatedAt, item.AutoDestroyAt);

    /// <summary>
    /// Daytona's states as the library's: started is running; pausing and paused are paused; the ways to and from a
    /// stop (stopping, stopped, archiving, archived) and deletion are stopped; error and build_failed are errors; the
    /// ways up (creating, starting, resuming, pulling, building) are starting. Others (snapshotting, resizing, forking)
    /// keep Daytona's name.
    /// </summary>
    public static SandboxStatus Status(SandboxState? state)
    {
        var name = state?.Value;
        return name switch
        {
            null or "" or "unknown" => SandboxStatus.Starting,
            "started" => SandboxStatus.Running,
            "paused" or "pausing" => SandboxStatus.Paused,
            "stopped" or "stopping" or "archived" or "archiving" or "destroyed" or "destroying" => SandboxStatus.Stopped,
            "error" or "build_failed" => SandboxStatus.Error,
            "creating" or "starting" or "restoring" or "resuming" or "pending_build" or "building_snapshot" or "pulling_snapshot" => SandboxStatus.Starting,
            _ => new SandboxStatus(name),
        };
    }

    private static SandboxInfo Describe(string id, string? name, string? snapshot, SandboxState? state, Dictionary<string, string>? labels,
        double cpu, double memoryGib, string? createdAt, string? autoDestroyAt) => new()
    {
        Id = id,
        Provider = DaytonaProvider.ProviderId,
        Name = name,
        Template = snapshot,
        Status = Status(state),
        StartedAt = ParseTime(createdAt),
        ExpiresAt = ParseTime(autoDestroyAt),
        Labels = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels),
        Cpus = cpu > 0 ? cpu : null,
        MemoryMb = memoryGib > 0 ? (int)Math.Round(memoryGib * 1024) : null,
    };

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
