namespace Sandboxes;

/// <summary>
/// What <see cref="Sandbox.CreateAsync(SandboxOptions?, CancellationToken)"/> creates and where: the provider and its
/// failover chain, labels, image or template, a preset, resources and lifetime. Every field is optional. Values set
/// here override the preset's defaults; a value the chosen provider cannot honour fails loudly
/// (<see cref="FeatureNotSupportedException"/>), it is never dropped.
/// </summary>
public sealed record SandboxOptions
{
    /// <summary>The provider to try first; null to resolve it (code default, <c>SANDBOXES_PROVIDER</c>, config file, auto-detection).</summary>
    public string? Provider { get; init; }

    /// <summary>
    /// Providers to try, in order, when creation fails on the provider's side (unavailable, rate limited, quota, circuit
    /// open). Never used for bad input. Null for <see cref="SandboxClientOptions.Fallback"/>; empty for no failover.
    /// </summary>
    public IReadOnlyList<string>? Fallback { get; init; }

    /// <summary>Labels to attach; the sandbox can be found by them (<see cref="Sandbox.FindAsync"/>).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>A container image, for providers that start from images.</summary>
    public string? Image { get; init; }

    /// <summary>The provider's template (E2B template, Daytona snapshot name).</summary>
    public string? Template { get; init; }

    /// <summary>A preset name (<c>python-data-science</c>, <c>node</c>, ... or one registered with <see cref="Sandbox.RegisterPreset"/>).</summary>
    public string? Preset { get; init; }

    /// <summary>A name for the sandbox.</summary>
    public string? Name { get; init; }

    /// <summary>Environment variables every command sees (merged over the preset's).</summary>
    public IReadOnlyDictionary<string, string>? Envs { get; init; }

    /// <summary>CPUs; overrides the preset's.</summary>
    public double? Cpus { get; init; }

    /// <summary>Memory limit in MiB; overrides the preset's.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>Disk size in MiB; overrides the preset's.</summary>
    public int? DiskMb { get; init; }

    /// <summary>A GPU type or count.</summary>
    public string? Gpu { get; init; }

    /// <summary>The maximum number of processes.</summary>
    public int? MaxProcesses { get; init; }

    /// <summary>The sandbox's lifetime in seconds; overrides the preset's.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>Network access; null for the provider's default.</summary>
    public NetworkPolicy? Network { get; init; }

    /// <summary>Hosts, addresses or networks (CIDR) reachable beyond <see cref="Network"/> (see <see cref="CreateSandboxRequest.NetworkAllow"/>).</summary>
    public IReadOnlyList<string>? NetworkAllow { get; init; }

    /// <summary>Start from this snapshot.</summary>
    public string? Snapshot { get; init; }

    /// <summary>Keep the sandbox when its handle is disposed (see <see cref="CreateSandboxRequest.Keep"/>).</summary>
    public bool Keep { get; init; }
}
