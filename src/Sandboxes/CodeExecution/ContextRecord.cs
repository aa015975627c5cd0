namespace Sandboxes.CodeExecution;

/// <summary>
/// What any client needs to use a context started by another: kept as JSON in the sandbox itself
/// (<see cref="ProcessCodeContexts"/>), so contexts outlive the client that created them, like sandboxes do.
/// </summary>
internal sealed record ContextRecord
{
    public required string Id { get; init; }

    public required string Language { get; init; }

    /// <summary>The background command running the interpreter.</summary>
    public required string HandleId { get; init; }

    /// <summary>The interpreter's pid inside the sandbox (reported by the driver).</summary>
    public int Pid { get; init; }

    /// <summary>The random marker of the driver's control lines.</summary>
    public required string Nonce { get; init; }

    public string? Cwd { get; init; }

    public Dictionary<string, string>? Env { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
