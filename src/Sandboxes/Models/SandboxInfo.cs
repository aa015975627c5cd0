namespace Sandboxes;

/// <summary>What a provider reports about a sandbox.</summary>
public sealed record SandboxInfo
{
    /// <summary>The sandbox id, unique within the provider.</summary>
    public required string Id { get; init; }

    /// <summary>The provider name.</summary>
    public required string Provider { get; init; }

    /// <summary>The template or image it was created from, if any.</summary>
    public string? Template { get; init; }

    /// <summary>Its name, if it has one.</summary>
    public string? Name { get; init; }

    /// <summary>Its state.</summary>
    public SandboxStatus Status { get; init; } = SandboxStatus.Running;

    /// <summary>When it was started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When its lifetime ends, if it has one.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Its labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>CPUs it was given, if known.</summary>
    public double? Cpus { get; init; }

    /// <summary>Memory limit in MiB, if known.</summary>
    public int? MemoryMb { get; init; }
}
