namespace Sandboxes;

/// <summary>How <see cref="CapabilityMatrix"/> renders. The defaults give the machine-independent matrix the README shows.</summary>
public sealed class CapabilityMatrixOptions
{
    /// <summary>
    /// Adds whether each provider's credentials are configured in this environment (a row in Markdown, a
    /// <c>credentials.status</c> field in JSON). Off by default: the answer depends on the machine. Default: false.
    /// </summary>
    public bool IncludeCredentialStatus { get; init; }

    /// <summary>Lists, under the Markdown table, the note of every emulated or unsupported entry. Default: true.</summary>
    public bool IncludeNotes { get; init; } = true;

    /// <summary>Reads an environment variable for the credential status; null for the process environment. Default: null.</summary>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>Indents the JSON output. Default: true.</summary>
    public bool IndentJson { get; init; } = true;
}
