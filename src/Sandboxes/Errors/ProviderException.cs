namespace Sandboxes;

/// <summary>The provider failed in a way none of the more specific errors describes.</summary>
public class ProviderException : SandboxException
{
    /// <summary>Creates the error.</summary>
    /// <param name="provider">The provider name.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="statusCode">The HTTP status, when the failure was an HTTP response.</param>
    /// <param name="errorCode">The vendor's own error code, when it sent one.</param>
    /// <param name="responseBody">The response body; secrets are scrubbed before it is kept.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public ProviderException(string provider, string message, int? statusCode = null, string? errorCode = null,
        string? responseBody = null, Exception? innerException = null)
        : base(provider, message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        ResponseBody = responseBody is null ? null : SecretScrubber.Scrub(responseBody);
    }

    /// <summary>The HTTP status code, or null when the failure was not an HTTP response.</summary>
    public int? StatusCode { get; }

    /// <summary>The vendor's error code, or null.</summary>
    public string? ErrorCode { get; }

    /// <summary>The response body with secrets scrubbed, or null.</summary>
    public string? ResponseBody { get; }

    /// <inheritdoc />
    /// <remarks>Transient for timeouts and gateway errors (408, 502, 503, 504) and for failures to reach the provider at all.</remarks>
    public override bool IsTransient =>
        StatusCode is 408 or 502 or 503 or 504 || (StatusCode is null && InnerException is HttpRequestException or IOException or TimeoutException);
}
