namespace Sandboxes;

/// <summary>The outcome of a command that ran to completion.</summary>
public sealed record CommandResult
{
    /// <summary>Everything the command wrote to stdout.</summary>
    public string Stdout { get; init; } = string.Empty;

    /// <summary>Everything the command wrote to stderr.</summary>
    public string Stderr { get; init; } = string.Empty;

    /// <summary>The exit code; 128 + N when the process was killed by signal N.</summary>
    public int ExitCode { get; init; }

    /// <summary>How long the command ran.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Why the command ended abnormally, if it did (for example killed for exceeding its memory limit).</summary>
    public string? Error { get; init; }

    /// <summary>True when the command exited with code 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>True when the sandbox's memory limit killed the command.</summary>
    public bool OutOfMemory { get; init; }

    /// <summary>
    /// For the one-liners (<see cref="Sandbox.RunAsync(string, string?, CancellationToken)"/> and its kin), which provider ran
    /// the command and which were skipped on the way; null for commands run on a sandbox handle.
    /// </summary>
    public ProviderSelection? Selection { get; init; }
}
