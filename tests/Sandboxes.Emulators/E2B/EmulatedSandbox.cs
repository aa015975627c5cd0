using System.Collections.Concurrent;

namespace Sandboxes.Emulators.E2B;

/// <summary>An E2B sandbox as the emulator keeps it: the control plane's record and the local sandbox it runs on.</summary>
internal sealed class EmulatedSandbox
{
    public EmulatedSandbox(string id, Sandbox local, string templateId, string? alias, string accessToken)
    {
        Id = id;
        Local = local;
        TemplateId = templateId;
        Alias = alias;
        AccessToken = accessToken;
    }

    public string Id { get; }

    /// <summary>The local sandbox the E2B sandbox runs on.</summary>
    public Sandbox Local { get; }

    public string TemplateId { get; }

    public string? Alias { get; }

    /// <summary>envd's access token (sandboxes are created secure).</summary>
    public string AccessToken { get; }

    public Dictionary<string, string> Metadata { get; init; } = [];

    public bool AutoPause { get; init; }

    public bool? AllowInternetAccess { get; init; }

    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public DateTimeOffset EndAt { get; set; }

    /// <summary><c>running</c> or <c>paused</c>.</summary>
    public string State { get; set; } = "running";

    /// <summary>Kills or pauses the sandbox when its lifetime ends.</summary>
    public Timer? Expiry { get; set; }

    /// <summary>The processes envd started that still run, by pid.</summary>
    public ConcurrentDictionary<uint, EmulatedProcess> Processes { get; } = new();

    /// <summary>The user names of the sandbox's /etc/passwd, read on first use.</summary>
    public HashSet<string>? Users { get; set; }

    /// <summary>Serialises state changes (pause, resume, kill, expiry).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);
}
