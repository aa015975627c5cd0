namespace Sandboxes;

/// <summary>
/// The sandbox has no runtime for the requested language: none of the interpreters or compilers it needs is on the
/// sandbox's PATH. Install one in the sandbox (or its template) or pick another language.
/// </summary>
public class RuntimeNotFoundException : SandboxException
{
    /// <summary>Creates the error.</summary>
    /// <param name="provider">The provider of the sandbox.</param>
    /// <param name="language">The language that was asked for.</param>
    /// <param name="searched">The programs looked for, in order.</param>
    public RuntimeNotFoundException(string provider, CodeLanguage language, IReadOnlyList<string> searched)
        : base(provider, $"No runtime for {language.Id} in the sandbox: none of {string.Join(", ", searched ?? [])} is on its PATH.")
    {
        Language = language;
        Searched = searched ?? [];
    }

    /// <summary>The language that was asked for.</summary>
    public CodeLanguage Language { get; }

    /// <summary>The programs that were looked for.</summary>
    public IReadOnlyList<string> Searched { get; }
}
