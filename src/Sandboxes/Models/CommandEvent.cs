namespace Sandboxes;

/// <summary>What a streaming command produced: a chunk of stdout or stderr, or its exit (always last).</summary>
public sealed record CommandEvent
{
    /// <summary>Which kind of event this is.</summary>
    public required CommandEventKind Kind { get; init; }

    /// <summary>The chunk as text (UTF-8 decoded; a character split between chunks is never broken). Empty for the exit.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The exit code, for <see cref="CommandEventKind.Exit"/>.</summary>
    public int? ExitCode { get; init; }

    /// <summary>For the exit: why the command ended abnormally, if it did.</summary>
    public string? Error { get; init; }

    /// <summary>Creates a stdout chunk.</summary>
    public static CommandEvent Stdout(string text) => new() { Kind = CommandEventKind.Stdout, Text = text };

    /// <summary>Creates a stderr chunk.</summary>
    public static CommandEvent Stderr(string text) => new() { Kind = CommandEventKind.Stderr, Text = text };

    /// <summary>Creates the exit event.</summary>
    public static CommandEvent Exited(int exitCode, string? error = null) =>
        new() { Kind = CommandEventKind.Exit, ExitCode = exitCode, Error = error };
}
