namespace Sandboxes;

/// <summary>What a new <see cref="CodeContext"/> runs.</summary>
public sealed record CreateCodeContextRequest
{
    /// <summary>The language; null for Python.</summary>
    public CodeLanguage? Language { get; init; }

    /// <summary>The working directory of the interpreter; null for the sandbox's default.</summary>
    public string? Cwd { get; init; }

    /// <summary>Environment variables of the interpreter, added to the sandbox's.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }
}
