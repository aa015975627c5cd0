namespace Sandboxes;

/// <summary>A shell command to run in a sandbox (interpreted by <c>/bin/sh -c</c>).</summary>
/// <param name="Cmd">The command line.</param>
public sealed record RunCommandRequest(string Cmd)
{
    /// <summary>The working directory inside the sandbox; null for the sandbox's default (<c>/workspace</c> on local).</summary>
    public string? Cwd { get; init; }

    /// <summary>Environment variables for this command, added to the sandbox's.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>
    /// Seconds after which the command and every process it started are killed and
    /// <see cref="SandboxTimeoutException"/> is raised. Null for no limit beyond the client's default.
    /// </summary>
    public double? TimeoutSeconds { get; init; }

    /// <summary>Text written to the command's stdin, which is then closed. Null gives an empty stdin.</summary>
    public string? Stdin { get; init; }

    /// <summary>
    /// For background commands: keep stdin open so that <see cref="Sandbox.WriteStdin(string, string)"/> can feed it later.
    /// </summary>
    public bool KeepStdinOpen { get; init; }

    /// <summary>Run as this user inside the sandbox (a name or a numeric uid).</summary>
    public string? User { get; init; }

    /// <summary>Called with each chunk of stdout as it is produced.</summary>
    public Action<string>? OnStdout { get; init; }

    /// <summary>Called with each chunk of stderr as it is produced.</summary>
    public Action<string>? OnStderr { get; init; }
}
