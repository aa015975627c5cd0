namespace Sandboxes;

/// <summary>A saved state of a sandbox from which new sandboxes can start.</summary>
public sealed record SnapshotInfo
{
    /// <summary>The snapshot id, to pass as <see cref="CreateSandboxRequest.Snapshot"/>.</summary>
    public required string Id { get; init; }

    /// <summary>The name it was given.</summary>
    public string? Name { get; init; }

    /// <summary>The sandbox it was taken from.</summary>
    public string? SandboxId { get; init; }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Its size in bytes, when known.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>The labels of the sandbox it was taken from.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
