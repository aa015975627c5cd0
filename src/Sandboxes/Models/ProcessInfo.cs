namespace Sandboxes;

/// <summary>A process running in a sandbox.</summary>
/// <param name="Pid">Its id inside the sandbox.</param>
/// <param name="Command">Its command line.</param>
/// <param name="User">The user it runs as.</param>
public sealed record ProcessInfo(int Pid, string Command, string User)
{
    /// <summary>The background-command handle it belongs to, when it was started through <c>StartCommand</c>.</summary>
    public string? HandleId { get; init; }
}
