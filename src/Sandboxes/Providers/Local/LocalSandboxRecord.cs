namespace Sandboxes.Providers.Local;

/// <summary>What the state directory remembers about a sandbox (<c>sandbox.json</c>), so any process can use it.</summary>
internal sealed record LocalSandboxRecord
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? Template { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public Dictionary<string, string> Metadata { get; init; } = new();

    public Dictionary<string, string> Envs { get; init; } = new();

    public double? Cpus { get; init; }

    public int? MemoryMb { get; init; }

    public int? MaxProcesses { get; init; }

    /// <summary>The size of the workspace's own disk image (see <see cref="WorkspaceDisk"/>), or null when it shares the state directory's disk.</summary>
    public int? DiskMb { get; init; }

    public NetworkPolicy Network { get; init; }

    /// <summary>The networks (CIDR) reachable beyond <see cref="Network"/>, host names already resolved.</summary>
    public List<string> NetworkAllow { get; init; } = [];

    /// <summary>The host pid of the sandbox's slirp4netns, which destroy stops, or 0.</summary>
    public int NetworkPid { get; init; }

    /// <inheritdoc cref="NetworkPid"/>
    public ulong NetworkStartTime { get; init; }

    /// <summary>True when the sandbox reaches out through slirp4netns and its packet filter (<see cref="SandboxNetwork"/>).</summary>
    public bool Filtered => Namespaces && (Network == NetworkPolicy.Internet || NetworkAllow.Count > 0);

    /// <summary>True for namespace isolation, false for process isolation.</summary>
    public bool Namespaces { get; init; }

    /// <summary>Host pid of the sandbox's first process (pid 1 of its namespace, or the agent in process mode).</summary>
    public int InitPid { get; init; }

    /// <summary>The init process's start time (clock ticks since boot), which tells a reused pid from ours.</summary>
    public ulong InitStartTime { get; init; }

    /// <summary>The cgroup directories made for the sandbox (one per hierarchy used).</summary>
    public List<string> Cgroups { get; init; } = [];

    /// <summary>The cgroup directory holding <c>cgroup.freeze</c>, when there is one.</summary>
    public string? FreezerCgroup { get; init; }

    /// <summary>The v1 memory cgroup, for out-of-memory reporting, when there is one.</summary>
    public string? MemoryCgroup { get; init; }

    public bool Paused { get; init; }

    /// <summary>True when the sandbox outlives its creator (<see cref="CreateSandboxRequest.Keep"/>); otherwise it goes when its creator's process ends, however that ends.</summary>
    public bool Keep { get; init; }

    /// <summary>The process that created the sandbox (see <see cref="Internal.CreatorProcess"/>).</summary>
    public string? Creator { get; init; }

    /// <summary>The process that launched the sandbox (its first step; the sandbox's processes descend from it), recorded before the sandbox is ready.</summary>
    public int LauncherPid { get; init; }

    /// <inheritdoc cref="LauncherPid"/>
    public ulong LauncherStartTime { get; init; }

    /// <summary>The host id the sandbox's root is (its users map from there), or null when it is the client's own user.</summary>
    public int? IdBase { get; init; }

    public string? Snapshot { get; init; }

    /// <summary>The shell the agent runs in (and sources jobs in); records from before it was chosen used <c>/bin/sh</c>.</summary>
    public string AgentShell { get; init; } = "/bin/sh";
}
