namespace Sandboxes;

/// <summary>The configuration or a request is invalid: unknown provider, missing credentials, a bad path or value.</summary>
public class BadConfigException : SandboxException
{
    /// <summary>Creates the error.</summary>
    public BadConfigException(string provider, string message, Exception? innerException = null)
        : base(provider, message, innerException)
    {
    }
}
