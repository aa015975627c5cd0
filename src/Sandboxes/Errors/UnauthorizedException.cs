namespace Sandboxes;

/// <summary>The provider refused the credentials (HTTP 401 or 403), or none were configured.</summary>
public class UnauthorizedException : SandboxException
{
    /// <summary>Creates the error.</summary>
    public UnauthorizedException(string provider, string message, Exception? innerException = null)
        : base(provider, message, innerException)
    {
    }
}
