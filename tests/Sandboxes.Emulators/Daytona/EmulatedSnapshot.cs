namespace Sandboxes.Emulators.Daytona;

/// <summary>A Daytona snapshot taken through the emulator, backed by a local-provider snapshot.</summary>
internal sealed record EmulatedSnapshot
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string LocalId { get; init; }

    public string? SourceSandboxId { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;
}
