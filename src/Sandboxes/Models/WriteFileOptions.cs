namespace Sandboxes;

/// <summary>How to write a file.</summary>
public sealed record WriteFileOptions
{
    /// <summary>The default: mode 0644, parents created, owned by the sandbox's default user.</summary>
    public static WriteFileOptions Default { get; } = new();

    /// <summary>Unix permission bits for the file; null for 0644.</summary>
    public int? Mode { get; init; }

    /// <summary>The owner inside the sandbox; null for the default user.</summary>
    public string? User { get; init; }
}
