namespace Sandboxes;

/// <summary>
/// The language of a piece of code: one of the well-known languages, or the name of any interpreter found in the sandbox
/// (for example <c>perl</c>, which then runs the code as <c>perl FILE</c>). Common aliases are folded into one name
/// (<c>py</c> and <c>python3</c> are <see cref="Python"/>, <c>js</c> and <c>node</c> are <see cref="JavaScript"/>).
/// </summary>
public readonly struct CodeLanguage : IEquatable<CodeLanguage>
{
    private readonly string? _id;

    /// <summary>Creates a language from its name or an alias; the name is kept in lower case.</summary>
    public CodeLanguage(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _id = Normalize(name.Trim().ToLowerInvariant());
    }

    /// <summary>Python 3 (<c>python3</c>, else <c>python</c>).</summary>
    public static CodeLanguage Python { get; } = new("python");

    /// <summary>JavaScript on Node.js.</summary>
    public static CodeLanguage JavaScript { get; } = new("javascript");

    /// <summary>TypeScript, transpiled with the TypeScript compiler found in the sandbox and run on Node.js.</summary>
    public static CodeLanguage TypeScript { get; } = new("typescript");

    /// <summary>Bash.</summary>
    public static CodeLanguage Bash { get; } = new("bash");

    /// <summary>Go, built and run with <c>go run</c>.</summary>
    public static CodeLanguage Go { get; } = new("go");

    /// <summary>Rust, compiled with <c>rustc</c> and run.</summary>
    public static CodeLanguage Rust { get; } = new("rust");

    /// <summary>Ruby.</summary>
    public static CodeLanguage Ruby { get; } = new("ruby");

    /// <summary>The languages the library knows how to run beyond "an interpreter by name".</summary>
    public static IReadOnlyList<CodeLanguage> WellKnown { get; } = [Python, JavaScript, TypeScript, Bash, Go, Rust, Ruby];

    /// <summary>The language name in lower case, for example <c>python</c>; <c>python</c> for <c>default</c>.</summary>
    public string Id => _id ?? "python";

    /// <summary>True for one of <see cref="WellKnown"/>; false for an interpreter named by the caller.</summary>
    public bool IsWellKnown => WellKnown.Contains(this);

    /// <summary>
    /// The language of a source file from its extension: <c>.py .js .mjs .cjs .ts .go .rs .rb .sh .bash</c>; null when
    /// the extension is not one of them.
    /// </summary>
    public static CodeLanguage? FromFileExtension(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".py" => Python,
            ".js" or ".mjs" or ".cjs" => JavaScript,
            ".ts" => TypeScript,
            ".go" => Go,
            ".rs" => Rust,
            ".rb" => Ruby,
            ".sh" or ".bash" => Bash,
            _ => (CodeLanguage?)null,
        };
    }

    /// <summary>Converts a name or alias to a language.</summary>
    public static implicit operator CodeLanguage(string name) => new(name);

    /// <summary>Compares by normalized name.</summary>
    public static bool operator ==(CodeLanguage left, CodeLanguage right) => left.Equals(right);

    /// <summary>Compares by normalized name.</summary>
    public static bool operator !=(CodeLanguage left, CodeLanguage right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(CodeLanguage other) => string.Equals(Id, other.Id, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CodeLanguage other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);

    /// <inheritdoc />
    public override string ToString() => Id;

    private static string Normalize(string name) => name switch
    {
        "py" or "python3" or "python" or "ipython" => "python",
        "js" or "node" or "nodejs" or "javascript" => "javascript",
        "ts" or "typescript" => "typescript",
        "bash" or "shell" => "bash",
        "go" or "golang" => "go",
        "rs" or "rust" => "rust",
        "rb" or "ruby" => "ruby",
        _ => name,
    };
}
