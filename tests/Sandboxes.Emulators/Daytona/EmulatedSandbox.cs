using System.Collections.Concurrent;

namespace Sandboxes.Emulators.Daytona;

/// <summary>A Daytona sandbox as the emulator keeps it: the control plane's record, and the local sandbox it runs on.</summary>
internal sealed class EmulatedSandbox
{
    private readonly Lock _gate = new();
    private string _state = "creating";

    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Snapshot { get; init; }

    public required IReadOnlyDictionary<string, string> Env { get; init; }

    public required Dictionary<string, string> Labels { get; init; }

    public bool NetworkBlockAll { get; init; }

    public string Target { get; init; } = "us";

    public long Cpu { get; init; } = 1;

    public long Gpu { get; init; }

    public string? GpuType { get; init; }

    public long MemoryGib { get; init; } = 1;

    public long DiskGib { get; init; } = 3;

    public long AutoStopInterval { get; init; } = 15;

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>When the TTL destroys it, if it has one.</summary>
    public DateTimeOffset? AutoDestroyAt { get; init; }

    public string? ErrorReason { get; set; }

    /// <summary>The local sandbox, once created.</summary>
    public Sandbox? Local { get; set; }

    /// <summary>Toolbox sessions by id.</summary>
    public ConcurrentDictionary<string, EmulatedSession> Sessions { get; } = new(StringComparer.Ordinal);

    /// <summary>PTY sessions by id.</summary>
    public ConcurrentDictionary<string, EmulatedPty> Ptys { get; } = new(StringComparer.Ordinal);

    /// <summary>Daytona's state name (<c>creating</c>, <c>started</c>, <c>paused</c>, <c>destroyed</c>...).</summary>
    public string State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public DateTimeOffset UpdatedAt { get; private set; } = DateTimeOffset.UtcNow;

    /// <summary>Moves to <paramref name="to"/> if the state is one of <paramref name="from"/>; false otherwise.</summary>
    public bool TryMove(string to, params string[] from)
    {
        lock (_gate)
        {
            if (from.Length > 0 && !from.Contains(_state))
            {
                return false;
            }

            _state = to;
            UpdatedAt = DateTimeOffset.UtcNow;
            return true;
        }
    }

    /// <summary>True when gone (destroyed or being destroyed).</summary>
    public bool IsGone => State is "destroyed" or "destroying";
}
