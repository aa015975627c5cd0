using System.Text.Json.Serialization;
using Refit;

namespace Sandboxes.Http;

/// <summary>
/// Makes an adapter's Refit client: <see cref="RestService.ForGenerated{T}(HttpClient, RefitSettings)"/> (the client
/// Refit's generator wrote, no reflection) over an <see cref="HttpClient"/> whose handlers add the provider's headers,
/// quote multipart names and type its errors, in front of the transport the user configured; bodies are read and written
/// with the spec's generated JSON context (<see cref="RefitSettings.ForJsonContext(System.Text.Json.Serialization.JsonSerializerContext)"/>).
/// </summary>
internal static class ProviderClients
{
    /// <summary>One pooled transport for providers given no <see cref="HttpClient"/>: sockets are reused across clients.</summary>
    public static HttpClient SharedHttpClient { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The Refit client of interface <typeparamref name="T"/>.</summary>
    /// <param name="transport">The user's client, or <see cref="SharedHttpClient"/>.</param>
    /// <param name="baseAddress">The API's base URL (the spec's server or the configured one).</param>
    /// <param name="provider">The provider name the typed errors carry.</param>
    /// <param name="json">The spec's generated JSON context.</param>
    /// <param name="timeout">The per-request timeout, or null for none.</param>
    /// <param name="headers">Headers every request carries (credentials, routing).</param>
    /// <param name="timeProvider">The clock <c>Retry-After</c> dates are read against.</param>
    public static T For<T>(HttpClient transport, Uri baseAddress, string provider, JsonSerializerContext json, TimeSpan? timeout = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, TimeProvider? timeProvider = null)
    {
        if (timeout is { } t && t <= TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new BadConfigException(provider, $"The request timeout must be positive, not {t}.");
        }

        return RestService.ForGenerated<T>(CreateHttpClient(transport, baseAddress, provider, timeout == Timeout.InfiniteTimeSpan ? null : timeout, headers, timeProvider),
            Settings(json, provider));
    }

    /// <summary>The <see cref="HttpClient"/> a provider's client sends through, for calls the interface does not describe.</summary>
    public static HttpClient CreateHttpClient(HttpClient transport, Uri baseAddress, string provider, TimeSpan? timeout = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri)
        {
            throw new BadConfigException(provider, $"The base address must be an absolute URL, not '{baseAddress}'.");
        }

        HttpMessageHandler handler = new HttpClientTransport(transport);
        handler = new ProviderErrorHandler(provider, timeout, timeProvider) { InnerHandler = handler };
        handler = new QuotedMultipartHandler { InnerHandler = handler };
        if (headers is not null)
        {
            handler = new DefaultHeadersHandler(headers) { InnerHandler = handler };
        }

        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Refit's settings for a spec's generated JSON context. The typed errors <see cref="ProviderErrorHandler"/> throws
    /// reach the caller as they are: Refit would otherwise wrap whatever the handlers throw in an <c>ApiRequestException</c>.
    /// </summary>
    /// <param name="json">The spec's generated JSON context.</param>
    /// <param name="provider">The provider name any other failure carries.</param>
    public static RefitSettings Settings(JsonSerializerContext json, string provider)
    {
        var settings = OpenApiRefitSettings.For(json);
        // JSON bodies go with a Content-Length, not chunked: some engines and mocks read a request body only by its length.
        settings.Buffered = true;
        settings.TransportExceptionFactory = (request, exception, cancellationToken) => exception switch
        {
            SandboxException or OperationCanceledException => exception,
            _ => new ProviderException(provider, $"{request.Method} {request.RequestUri?.AbsolutePath} failed: {exception.Message}", innerException: exception),
        };
        return settings;
    }
}
