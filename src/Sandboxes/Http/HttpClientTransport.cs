namespace Sandboxes.Http;

/// <summary>
/// The innermost handler of a provider's client: sends through the <see cref="HttpClient"/> the user configured (or the
/// shared one), which cannot take more handlers itself, so the error and header handlers are put in front of it. It never
/// disposes that client.
/// </summary>
internal sealed class HttpClientTransport(HttpClient transport) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // An HttpClient refuses a message another one already sent: the transport gets a copy sharing the content.
        using var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Content = request.Content,
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };
        foreach (var (name, values) in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        foreach (var (key, value) in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[key] = value;
        }

        var response = await transport.SendAsync(copy, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        // The caller's message, not the copy, is the one the response answers (the copy is disposed with its content detached).
        response.RequestMessage = request;
        copy.Content = null;
        return response;
    }
}
