namespace Sandboxes;

/// <summary>What to create. Every field is optional; a field the provider cannot honour raises
/// <see cref="FeatureNotSupportedException"/> rather than being ignored.</summary>
public sealed record CreateSandboxRequest
{
    /// <summary>The provider's template (E2B template, Daytona snapshot name, container image); null for the default.</summary>
    public string? Template { get; init; }

    /// <summary>A container image, for providers that start from images. Synonym of <see cref="Template"/> where both apply.</summary>
    public string? Image { get; init; }

    /// <summary>A name for the sandbox, unique per provider where the provider enforces it.</summary>
    public string? Name { get; init; }

    /// <summary>The sandbox's lifetime in seconds; after it the sandbox is reaped. Null for the provider's default.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>Labels to attach; sandboxes can be listed and found by them.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Environment variables every command of the sandbox sees.</summary>
    public IReadOnlyDictionary<string, string>? Envs { get; init; }

    /// <summary>CPUs (may be fractional where the provider allows it).</summary>
    public double? Cpus { get; init; }

    /// <summary>Memory limit in MiB.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>Disk size in MiB.</summary>
    public int? DiskMb { get; init; }

    /// <summary>A GPU type or count, as the provider names it (for example <c>T4</c> or <c>1</c>).</summary>
    public string? Gpu { get; init; }

    /// <summary>The maximum number of processes in the sandbox.</summary>
    public int? MaxProcesses { get; init; }

    /// <summary>The sandbox's network access; null for the provider's default (for local: <see cref="NetworkPolicy.None"/>).</summary>
    public NetworkPolicy? Network { get; init; }

    /// <summary>
    /// Hosts, IP addresses or networks (CIDR) the sandbox may reach beyond what <see cref="Network"/> gives: with
    /// <see cref="NetworkPolicy.Internet"/>, private or host addresses that are otherwise blocked (a LAN package mirror);
    /// with <see cref="NetworkPolicy.None"/> or unset, these and nothing else. Host names are resolved once, at creation.
    /// </summary>
    public IReadOnlyList<string>? NetworkAllow { get; init; }

    /// <summary>Start from this snapshot (an id returned by <see cref="Sandbox.CreateSnapshot"/>).</summary>
    public string? Snapshot { get; init; }

    /// <summary>
    /// Keep the sandbox when its <see cref="Sandbox"/> handle is disposed. By default disposing the handle kills the
    /// sandbox; a kept sandbox lives until it is killed or its lifetime ends, and can be attached from any process.
    /// </summary>
    public bool Keep { get; init; }
}
