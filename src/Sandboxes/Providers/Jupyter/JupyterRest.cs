using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// The calls the provider makes to the Jupyter Server REST API (kernels, sessions, contents, terminals), returning small
/// records of what it needs, with HTTP failures mapped to the library's errors.
/// </summary>
internal sealed class JupyterRest : IDisposable
{
    private readonly HttpClient _http;
    private readonly JupyterEndpoint _endpoint;

    public JupyterRest(JupyterEndpoint endpoint, HttpClient? http = null)
    {
        _endpoint = endpoint;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
    }

    // ---- Kernels ----

    public async Task<IReadOnlyList<JupyterKernel>> ListKernelsAsync(CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, "api/kernels", null, cancellationToken).ConfigureAwait(false);
        return document.RootElement.EnumerateArray().Select(JupyterKernel.From).ToList();
    }

    public async Task<JupyterKernel> StartKernelAsync(string name, string path, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Post, "api/kernels", Json(w =>
        {
            w.WriteString("name", name);
            w.WriteString("path", path);
        }), cancellationToken).ConfigureAwait(false);
        return JupyterKernel.From(document.RootElement);
    }

    public async Task<JupyterKernel?> GetKernelAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await SendAsync(HttpMethod.Get, "api/kernels/" + Escape(id), null, cancellationToken).ConfigureAwait(false);
            return JupyterKernel.From(document.RootElement);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    public async Task DeleteKernelAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await SendAsync(HttpMethod.Delete, "api/kernels/" + Escape(id), null, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Already gone: killing twice is not an error.
        }
    }

    public async Task InterruptKernelAsync(string id, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"api/kernels/{Escape(id)}/interrupt", null, cancellationToken).ConfigureAwait(false);
    }

    public async Task RestartKernelAsync(string id, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"api/kernels/{Escape(id)}/restart", null, cancellationToken).ConfigureAwait(false);
    }

    // ---- Sessions ----

    public async Task<IReadOnlyList<JupyterSession>> ListSessionsAsync(CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, "api/sessions", null, cancellationToken).ConfigureAwait(false);
        return document.RootElement.EnumerateArray().Select(JupyterSession.From).ToList();
    }

    public async Task<JupyterSession> CreateSessionAsync(string path, string name, string type, string kernelName, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Post, "api/sessions", Json(w =>
        {
            w.WriteString("path", path);
            w.WriteString("name", name);
            w.WriteString("type", type);
            w.WriteStartObject("kernel");
            w.WriteString("name", kernelName);
            w.WriteEndObject();
        }), cancellationToken).ConfigureAwait(false);
        return JupyterSession.From(document.RootElement);
    }

    public async Task DeleteSessionAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await SendAsync(HttpMethod.Delete, "api/sessions/" + Escape(id), null, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
        }
    }

    // ---- Contents ----

    public async Task<JupyterContent> GetContentAsync(string path, bool content, CancellationToken cancellationToken)
    {
        var query = content ? "?content=1&format=base64&type=file" : "?content=0";
        using var document = await SendAsync(HttpMethod.Get, "api/contents/" + EscapePath(path) + query, null, cancellationToken).ConfigureAwait(false);
        return JupyterContent.From(document.RootElement);
    }

    public async Task<IReadOnlyList<JupyterContent>> ListDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, "api/contents/" + EscapePath(path) + "?content=1&type=directory", null, cancellationToken)
            .ConfigureAwait(false);
        return document.RootElement.GetProperty("content").EnumerateArray().Select(JupyterContent.From).ToList();
    }

    public async Task PutFileAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Put, "api/contents/" + EscapePath(path), Json(w =>
        {
            w.WriteString("type", "file");
            w.WriteString("format", "base64");
            w.WriteBase64String("content", content);
        }), cancellationToken).ConfigureAwait(false);
    }

    public async Task PutDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Put, "api/contents/" + EscapePath(path), Json(w => w.WriteString("type", "directory")),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteContentAsync(string path, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Delete, "api/contents/" + EscapePath(path), null, cancellationToken).ConfigureAwait(false);
    }

    // ---- Terminals ----

    public async Task<IReadOnlyList<string>> ListTerminalsAsync(CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, "api/terminals", null, cancellationToken).ConfigureAwait(false);
        return document.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
    }

    public async Task<string> CreateTerminalAsync(CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Post, "api/terminals", null, cancellationToken).ConfigureAwait(false);
        return document.RootElement.GetProperty("name").GetString()!;
    }

    public async Task DeleteTerminalAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await SendAsync(HttpMethod.Delete, "api/terminals/" + Escape(name), null, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonDocument> SendAsync(HttpMethod method, string relative, HttpContent? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_endpoint.BaseUri, relative)) { Content = body };
        _endpoint.Authorize(request);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException error)
        {
            throw new ProviderException(JupyterProvider.ProviderId, $"The Jupyter server at {_endpoint} did not answer: {error.Message}", innerException: error);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "null" : text);
            }

            var reason = Reason(text);
            throw response.StatusCode switch
            {
                HttpStatusCode.NotFound => new NotFoundException(JupyterProvider.ProviderId, $"{method} {relative}: {reason}"),
                HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => new UnauthorizedException(JupyterProvider.ProviderId,
                    "The Jupyter server refused the token (JUPYTER_TOKEN or ProviderConfig.ApiKey)."),
                HttpStatusCode.BadRequest => new BadConfigException(JupyterProvider.ProviderId, $"{method} {relative}: {reason}"),
                _ => new ProviderException(JupyterProvider.ProviderId,
                    $"{method} {relative} failed with {(int)response.StatusCode}: {reason}"),
            };
        }
    }

    private static string Reason(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var key in new[] { "message", "reason", "error" })
            {
                if (document.RootElement.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    return text;
                }
            }
        }
        catch (JsonException)
        {
        }

        return body.Length > 300 ? body[..300] : body;
    }

    private static StringContent Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        var content = new StringContent(Encoding.UTF8.GetString(stream.ToArray()), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    internal static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
}
