namespace Sandboxes;

/// <summary>The sandbox, process, file or snapshot that was asked for does not exist.</summary>
public class NotFoundException : SandboxException
{
    /// <summary>Creates the error.</summary>
    public NotFoundException(string provider, string message, Exception? innerException = null)
        : base(provider, message, innerException)
    {
    }
}
