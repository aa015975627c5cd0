namespace Sandboxes;

/// <summary>An entry of a sandbox directory.</summary>
public sealed record FileEntry
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Its full sandbox path.</summary>
    public required string Path { get; init; }

    /// <summary>True for a directory.</summary>
    public bool IsDir { get; init; }

    /// <summary>True for a symbolic link (which is not followed).</summary>
    public bool IsSymlink { get; init; }

    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Unix permission bits (for example 0o644 as 420).</summary>
    public int Mode { get; init; }

    /// <summary>Last modification time, when known.</summary>
    public DateTimeOffset? ModifiedAt { get; init; }
}
