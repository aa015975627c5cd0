namespace Sandboxes;

/// <summary>
/// Code to run in a sandbox: once in a fresh process, or in a persistent <see cref="CodeContext"/> when
/// <see cref="ContextId"/> is set.
/// </summary>
/// <param name="Code">The source code. A block of statements; for Python and JavaScript the value of its last
/// expression becomes <see cref="ExecutionResult.Text"/>.</param>
public sealed record RunCodeRequest(string Code)
{
    /// <summary>The language of a one-off run; null for Python. Leave it null with <see cref="ContextId"/>: the context has one.</summary>
    public CodeLanguage? Language { get; init; }

    /// <summary>The context to run in (from <see cref="Sandbox.CreateCodeContext(CodeLanguage?)"/>); null for a fresh process.</summary>
    public string? ContextId { get; init; }

    /// <summary>Working directory of a one-off run; null for the sandbox's default. Contexts take theirs when created.</summary>
    public string? Cwd { get; init; }

    /// <summary>Environment variables of a one-off run. Contexts take theirs when created.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>
    /// Seconds after which the code is stopped and <see cref="SandboxTimeoutException"/> raised. A one-off run is killed;
    /// in a context the code is interrupted and the context, with its variables, survives.
    /// </summary>
    public double? TimeoutSeconds { get; init; }

    /// <summary>Called with each chunk of stdout as it is produced.</summary>
    public Action<string>? OnStdout { get; init; }

    /// <summary>Called with each chunk of stderr as it is produced.</summary>
    public Action<string>? OnStderr { get; init; }

    /// <summary>Called with each rich output (display data and the final expression's value) as it is produced.</summary>
    public Action<MimeBundle>? OnResult { get; init; }
}
