namespace Sandboxes;

/// <summary>The provider is rate limiting this client (HTTP 429).</summary>
public class RateLimitException : SandboxException
{
    /// <summary>Creates the error.</summary>
    /// <param name="provider">The provider name.</param>
    /// <param name="message">What the provider said.</param>
    /// <param name="retryAfter">How long the provider asked the client to wait, when it said so.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public RateLimitException(string provider, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(provider, message, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>The wait the provider asked for (from <c>Retry-After</c>), or null when it gave none.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
