namespace Sandboxes;

/// <summary>A command started in the background.</summary>
/// <param name="Pid">Its process id inside the sandbox.</param>
/// <param name="HandleId">The id to wait for it, read its output or feed its stdin, from this or any other client.</param>
public sealed record CommandHandle(int Pid, string HandleId)
{
    /// <summary>Deconstructs into the pid and the handle id, like sandboxer's <c>(pid, handle_id)</c>.</summary>
    public void Deconstruct(out int pid, out string handleId)
    {
        pid = Pid;
        handleId = HandleId;
    }
}
