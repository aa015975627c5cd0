using System.Net.Sockets;
using NUnit.Framework;
using Polly.Timeout;

namespace Sandboxes.Tests.HighLevel;

/// <summary>How failures are sorted for retries, the breaker and failover, with real exceptions from a real socket.</summary>
[TestFixture]
public sealed class FailureClassifierTests
{
    [Test]
    public void A_refused_connection_proves_nothing_reached_the_provider()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var http = new HttpClient();

        var refused = Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://127.0.0.1:{port}/")));
        var wrapped = new ProviderException("p", "failed", innerException: refused);

        Assert.That(FailureClassifier.RejectedBeforeProcessing(wrapped), Is.True);
        Assert.That(FailureClassifier.ShouldRetry(wrapped, Idempotency.NotIdempotent, TimeSpan.FromMinutes(1)), Is.True,
            "even a command may be sent again when no connection was made");
    }

    [Test]
    public void Failures_that_may_have_reached_the_provider_are_retried_only_when_idempotent()
    {
        SandboxException[] ambiguous =
        [
            new ProviderException("p", "HTTP 502", 502), new ProviderException("p", "HTTP 503", 503), new ProviderException("p", "HTTP 504", 504),
            new ProviderException("p", "reset", innerException: new IOException("connection reset")),
        ];

        foreach (var e in ambiguous)
        {
            Assert.That(FailureClassifier.ShouldRetry(e, Idempotency.Idempotent, TimeSpan.FromMinutes(1)), Is.True, e.Message);
            Assert.That(FailureClassifier.ShouldRetry(e, Idempotency.NotIdempotent, TimeSpan.FromMinutes(1)), Is.False, e.Message);
            Assert.That(FailureClassifier.CountsAgainstCircuit(e), Is.True, e.Message);
        }

        Assert.That(FailureClassifier.ShouldRetry(new TimeoutRejectedException(), Idempotency.NotIdempotent, TimeSpan.FromMinutes(1)), Is.False);
        Assert.That(FailureClassifier.ShouldRetry(new TimeoutRejectedException(), Idempotency.Idempotent, TimeSpan.FromMinutes(1)), Is.True);
    }

    [Test]
    public void Bad_input_quota_and_open_circuits_are_never_retried()
    {
        SandboxException[] never =
        [
            new BadConfigException("p", "bad"), new NotFoundException("p", "gone"), new UnauthorizedException("p", "no"),
            new FeatureNotSupportedException("p", Capability.Pty, "no pty"), new ProviderException("p", "HTTP 500", 500),
            new QuotaExceededException("p", "quota"), new CircuitOpenException("p", "open"),
        ];

        foreach (var e in never)
        {
            Assert.That(FailureClassifier.ShouldRetry(e, Idempotency.Idempotent, TimeSpan.FromMinutes(1)), Is.False, e.GetType().Name);
        }

        Assert.That(FailureClassifier.CountsAgainstCircuit(new RateLimitException("p", "slow down")), Is.False);
        Assert.That(FailureClassifier.IsProviderSide(new OperationCanceledException()), Is.False, "the caller's cancellation is nobody's failure");
    }
}
