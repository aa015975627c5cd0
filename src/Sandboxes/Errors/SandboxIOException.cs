namespace Sandboxes;

/// <summary>A file operation failed inside the sandbox: permission denied, read-only file system, no space left.</summary>
public class SandboxIOException : SandboxException
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    public SandboxIOException(string provider, string path, string reason, Exception? innerException = null)
        : base(provider, $"{reason}: {path}", innerException)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The sandbox path concerned.</summary>
    public string Path { get; }

    /// <summary>What went wrong, for example "Permission denied".</summary>
    public string Reason { get; }
}
