namespace Sandboxes;

/// <summary>
/// The base of every error the library raises. It names the provider that raised it, and its message
/// never contains a credential: messages pass through <see cref="SecretScrubber"/> before they are stored.
/// </summary>
public class SandboxException : Exception
{
    /// <summary>Creates an error raised by <paramref name="provider"/>.</summary>
    /// <param name="provider">The provider name, for example <c>local</c> or <c>e2b</c>; empty when no provider is involved.</param>
    /// <param name="message">What went wrong; secrets are scrubbed from it.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public SandboxException(string provider, string message, Exception? innerException = null)
        : base(SecretScrubber.Scrub(message), innerException)
    {
        Provider = provider ?? string.Empty;
    }

    /// <summary>The provider that raised the error (empty when none was involved).</summary>
    public string Provider { get; }

    /// <summary>
    /// True when the failure is on the provider's side and trying again, or trying another provider, may succeed
    /// (unavailable, rate limited, quota, circuit open). Bad input is never transient.
    /// </summary>
    public virtual bool IsTransient => false;

    /// <inheritdoc />
    public override string ToString() => SecretScrubber.Scrub(base.ToString());
}
