using System.Net.Http;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Sandboxes;

/// <summary>
/// Sorts failures for the resilience pipeline: which are the provider's fault (worth a retry or another provider),
/// which prove the provider never acted on the request (so even a non-idempotent call may be sent again), and which
/// count against the provider's circuit.
/// </summary>
internal static class FailureClassifier
{
    /// <summary>A provider-side failure: unavailable, gateway errors, timeouts, rate limits, quota, connection failures.</summary>
    public static bool IsProviderSide(Exception e) => e switch
    {
        OperationCanceledException => false,
        SandboxException s => s.IsTransient,
        TimeoutRejectedException => true,
        HttpRequestException or SocketException => true, // an adapter that forgot to map still fails over
        _ => false,
    };

    /// <summary>
    /// True when the failure shows the provider did not act on the request: it was refused with 429 (a rate limiter
    /// answers before any work is done) or no connection was ever made. Anything else (a 502, a timeout, a reset
    /// connection) may have reached the provider, which may have acted.
    /// </summary>
    public static bool RejectedBeforeProcessing(Exception e) => e is RateLimitException || NoConnectionMade(e);

    /// <summary>
    /// True when a create that failed with <paramref name="e"/> may nonetheless have made a sandbox: the failure is the
    /// provider's and does not prove the request was refused before any work (a 502, a timeout, a reset connection), or
    /// the call was given up midway (cancelled), after the request may have gone out.
    /// </summary>
    public static bool OutcomeUnknown(Exception e) => e is OperationCanceledException || (IsProviderSide(e) && !RejectedBeforeProcessing(e));

    /// <summary>Counts against the provider's circuit: provider-side, but not throttling (which says "slow down", not "down").</summary>
    public static bool CountsAgainstCircuit(Exception e) =>
        IsProviderSide(e) && e is not (RateLimitException or QuotaExceededException or CircuitOpenException or BrokenCircuitException);

    /// <summary>Whether the retry strategy may try again after <paramref name="e"/>.</summary>
    public static bool ShouldRetry(Exception e, Idempotency idempotency, TimeSpan maxRetryAfter)
    {
        if (!IsProviderSide(e) || e is QuotaExceededException or CircuitOpenException or BrokenCircuitException)
        {
            // Quota does not come back within a retry's delay, and an open circuit means "fail fast": both go to failover.
            return false;
        }

        if (e is RateLimitException { RetryAfter: { } wait } && wait > maxRetryAfter)
        {
            return false; // waiting that long would block the caller; fail now so failover can pick another provider
        }

        return idempotency switch
        {
            Idempotency.Idempotent or Idempotency.CreateWithRecovery => true,
            Idempotency.NotIdempotent => RejectedBeforeProcessing(e),
            _ => false,
        };
    }

    private static bool NoConnectionMade(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                    or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError }:
                    return true;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable
                    or SocketError.NetworkUnreachable or SocketError.TryAgain }:
                    return true;
            }
        }

        return false;
    }
}
