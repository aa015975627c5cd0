namespace Sandboxes;

/// <summary>The kinds of <see cref="CommandEvent"/>.</summary>
public enum CommandEventKind
{
    /// <summary>A chunk of standard output.</summary>
    Stdout,

    /// <summary>A chunk of standard error.</summary>
    Stderr,

    /// <summary>The command exited; always the last event.</summary>
    Exit,
}
