namespace Sandboxes;

/// <summary>
/// The sandbox is not in a state that allows the operation: it is paused, stopped or gone. The message says which
/// state it is in and what to do (for example resume it first).
/// </summary>
public class SandboxStateException : SandboxException
{
    /// <summary>Creates the error.</summary>
    public SandboxStateException(string provider, string sandboxId, SandboxStatus status, string message)
        : base(provider, message)
    {
        SandboxId = sandboxId;
        Status = status;
    }

    /// <summary>The sandbox concerned.</summary>
    public string SandboxId { get; }

    /// <summary>The state it was in.</summary>
    public SandboxStatus Status { get; }
}
