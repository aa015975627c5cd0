namespace Sandboxes.SpecCompiler.Tests.Support;

/// <summary>Keeps the body of the last request that passes through it, as it goes on the wire.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    /// <summary>The last request body, or null when it had none.</summary>
    public string? LastBody { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Only small JSON bodies are kept: reading a streamed upload here would consume it.
        LastBody = request.Content is { Headers.ContentType.MediaType: "application/json" } content
            ? await content.ReadAsStringAsync(cancellationToken)
            : null;
        return await base.SendAsync(request, cancellationToken);
    }
}
