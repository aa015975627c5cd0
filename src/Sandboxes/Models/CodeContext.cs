namespace Sandboxes;

/// <summary>
/// A persistent interpreter in a sandbox: variables, imports and definitions survive from one run to the next.
/// Contexts are independent of each other. Run code in one with <see cref="Sandbox.RunCode(string, CodeContext)"/>.
/// </summary>
public sealed record CodeContext
{
    /// <summary>The context id, unique within its sandbox.</summary>
    public required string Id { get; init; }

    /// <summary>The sandbox it lives in.</summary>
    public required string SandboxId { get; init; }

    /// <summary>Its language.</summary>
    public required CodeLanguage Language { get; init; }

    /// <summary>Its working directory, when known.</summary>
    public string? Cwd { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}
