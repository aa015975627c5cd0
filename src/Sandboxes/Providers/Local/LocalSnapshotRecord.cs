namespace Sandboxes.Providers.Local;

/// <summary>What a snapshot remembers (<c>snapshot.json</c> beside <c>workspace.tar</c>).</summary>
internal sealed record LocalSnapshotRecord
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? SandboxId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public long SizeBytes { get; init; }

    public Dictionary<string, string> Metadata { get; init; } = new();

    public Dictionary<string, string> Envs { get; init; } = new();
}
