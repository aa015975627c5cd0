namespace Sandboxes;

/// <summary>A pseudo-terminal to open in a sandbox.</summary>
public sealed record CreatePtyRequest
{
    /// <summary>Terminal rows.</summary>
    public int Rows { get; init; } = 24;

    /// <summary>Terminal columns.</summary>
    public int Cols { get; init; } = 80;

    /// <summary>Working directory; null for the sandbox default.</summary>
    public string? Cwd { get; init; }

    /// <summary>Extra environment variables.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>Run as this user.</summary>
    public string? User { get; init; }

    /// <summary>The command to run on the terminal; null for an interactive shell.</summary>
    public string? Command { get; init; }
}
