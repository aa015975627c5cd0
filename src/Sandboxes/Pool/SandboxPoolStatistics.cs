namespace Sandboxes;

/// <summary>A snapshot of a pool's counters.</summary>
public sealed record SandboxPoolStatistics
{
    /// <summary>Sandboxes alive now: idle, leased, or being created.</summary>
    public int Alive { get; init; }

    /// <summary>Idle sandboxes ready to be leased.</summary>
    public int Idle { get; init; }

    /// <summary>Sandboxes currently leased.</summary>
    public int Leased { get; init; }

    /// <summary>The most sandboxes ever alive at once (never above <see cref="SandboxPoolOptions.MaxSize"/>).</summary>
    public int PeakAlive { get; init; }

    /// <summary>Sandboxes created since the pool started.</summary>
    public long Created { get; init; }

    /// <summary>Sandboxes killed since the pool started (expired, broken, failed reset, discarded on return).</summary>
    public long Discarded { get; init; }

    /// <summary>Leases served by an idle (warm) sandbox.</summary>
    public long WarmAcquires { get; init; }

    /// <summary>Leases that had to wait for a sandbox to be created.</summary>
    public long ColdAcquires { get; init; }
}
