using System.Net;
using System.Net.Http.Headers;

namespace Sandboxes.Tests.Properties;

/// <summary>An HTTP handler that answers every request with 200 and the given body, handed out in chunks.</summary>
public sealed class BytesHandler(Func<Stream> body, string contentType) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = new StreamContent(body());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
