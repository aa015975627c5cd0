namespace Sandboxes;

/// <summary>
/// The provider's circuit breaker is open: recent calls failed on the provider's side, so this call was not sent.
/// Transient: failover tries the next provider, and the circuit lets a probe through after <see cref="RetryAfter"/>.
/// </summary>
public class CircuitOpenException : SandboxException
{
    /// <summary>Creates the error.</summary>
    /// <param name="provider">The provider whose circuit is open.</param>
    /// <param name="message">What happened.</param>
    /// <param name="retryAfter">How long until the circuit lets a probe through, when known.</param>
    /// <param name="innerException">The breaker's own exception, if any.</param>
    public CircuitOpenException(string provider, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(provider, message, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long until the circuit lets a probe through, or null when unknown.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
