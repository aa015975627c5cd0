namespace Sandboxes;

/// <summary>
/// A command ran longer than its timeout. Its whole process tree was killed; the output produced until then is kept.
/// A timeout is never reported as an exit code.
/// </summary>
public class SandboxTimeoutException : SandboxException
{
    /// <summary>Creates the error.</summary>
    public SandboxTimeoutException(string provider, string message, TimeSpan timeout, string? partialStdout = null,
        string? partialStderr = null, Exception? innerException = null)
        : base(provider, message, innerException)
    {
        Timeout = timeout;
        PartialStdout = partialStdout ?? string.Empty;
        PartialStderr = partialStderr ?? string.Empty;
    }

    /// <summary>The timeout that was exceeded.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>What the command wrote to stdout before it was killed.</summary>
    public string PartialStdout { get; }

    /// <summary>What the command wrote to stderr before it was killed.</summary>
    public string PartialStderr { get; }
}
