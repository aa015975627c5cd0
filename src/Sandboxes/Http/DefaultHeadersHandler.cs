namespace Sandboxes.Http;

/// <summary>Adds headers to every request that does not set them itself: credentials (<c>X-API-Key</c>, a bearer token) and routing headers.</summary>
internal sealed class DefaultHeadersHandler(IEnumerable<KeyValuePair<string, string>> headers) : DelegatingHandler
{
    private readonly KeyValuePair<string, string>[] _headers = headers.ToArray();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in _headers)
        {
            if (!request.Headers.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
