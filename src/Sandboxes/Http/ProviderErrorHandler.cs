namespace Sandboxes.Http;

/// <summary>
/// The typed errors of a provider's Refit client: a failed response becomes the error <see cref="HttpErrorMapper"/> gives
/// (401/403 unauthorized, 404 not found, 429 rate limit with <c>Retry-After</c>, 402 or a quota body quota exceeded,
/// anything else a <see cref="ProviderException"/> with the scrubbed body), a transport failure a
/// <see cref="ProviderException"/>, and a request slower than the provider's timeout a <see cref="ProviderException"/>
/// with status 408. It sits in front of the transport, so every call of the interface, streamed or not, goes through it.
/// </summary>
internal sealed class ProviderErrorHandler(string provider, TimeSpan? timeout, TimeProvider? timeProvider = null) : DelegatingHandler
{
    /// <summary>Marks each request with its provider, so stream readers name it in their errors.</summary>
    public static readonly HttpRequestOptionsKey<string> ProviderKey = new("Sandboxes.Provider");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.Set(ProviderKey, provider);
        using var deadline = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline?.CancelAfter(timeout!.Value);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, deadline?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // A transport that fails with one of our own errors (an endpoint's connect callback) keeps it.
            throw e.InnerException as SandboxException
                  ?? new ProviderException(provider, $"{request.Method} {request.RequestUri?.AbsolutePath} failed: {e.Message}", innerException: e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Our timeout or the transport's: not the caller's cancellation.
            throw new ProviderException(provider, $"{request.Method} {request.RequestUri?.AbsolutePath} timed out.", statusCode: 408, innerException: e);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await HttpErrorMapper.ReadBodyAsync(response, async: true, cancellationToken).ConfigureAwait(false);
                throw HttpErrorMapper.FromResponse(provider, response, body, timeProvider);
            }
        }

        return response;
    }
}
