namespace Sandboxes;

/// <summary>An account limit was reached: too many sandboxes, too much CPU or memory, credits exhausted.</summary>
public class QuotaExceededException : SandboxException
{
    /// <summary>Creates the error.</summary>
    public QuotaExceededException(string provider, string message, Exception? innerException = null)
        : base(provider, message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
