using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sandboxes.Http;

/// <summary>
/// Sends the requests of a generated client over an <see cref="HttpClient"/>: resolves the base address (spec server,
/// server variables, override), applies credentials, maps failures through <see cref="HttpErrorMapper"/> and reads
/// JSON, text, binary, server-sent-event and NDJSON responses. Each synchronous method uses <see cref="HttpClient.Send(HttpRequestMessage, HttpCompletionOption, CancellationToken)"/>
/// and synchronous stream reads through the same code path as its asynchronous twin; nothing blocks on a task (a custom
/// <see cref="HttpMessageHandler"/> must therefore implement <c>Send</c> for the synchronous methods, as
/// <see cref="SocketsHttpHandler"/> does). Immutable and thread-safe once built.
/// </summary>
public partial class ApiClientCore
{
    private readonly HttpClient _httpClient;
    private readonly ApiCredentials? _credentials;
    private readonly KeyValuePair<string, string>[] _defaultHeaders;
    private readonly TimeProvider _timeProvider;
    private readonly string? _baseAddress;
    private readonly TimeSpan? _timeout;

    /// <summary>Creates the core.</summary>
    /// <param name="httpClient">The client requests go through (not disposed here).</param>
    /// <param name="options">The client's options; null for the defaults.</param>
    /// <param name="defaultBaseUrl">The spec's server URL, possibly with <c>{variables}</c> or relative.</param>
    /// <param name="serverVariableDefaults">The defaults of the server URL's variables.</param>
    /// <param name="defaultProviderName">The provider name errors carry unless <see cref="ApiClientOptions.ProviderName"/> is set.</param>
    public ApiClientCore(HttpClient httpClient, ApiClientOptions? options, string defaultBaseUrl,
        IReadOnlyDictionary<string, string>? serverVariableDefaults, string defaultProviderName)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options ??= new ApiClientOptions();
        _httpClient = httpClient;
        _credentials = options.Credentials;
        _defaultHeaders = options.DefaultHeaders.ToArray();
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new BadConfigException(defaultProviderName, $"ApiClientOptions.Timeout must be positive, not {timeout}.");
        }

        _timeout = options.Timeout;
        ProviderName = options.ProviderName ?? defaultProviderName;
        _baseAddress = ResolveBaseAddress(httpClient, options, defaultBaseUrl ?? string.Empty, serverVariableDefaults);
    }

    /// <summary>
    /// The <see cref="HttpClient"/> generated clients use when none is given: one per process, with pooled connections that
    /// are renewed every few minutes so DNS changes are seen.
    /// </summary>
    public static HttpClient SharedHttpClient { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The provider name errors carry.</summary>
    public string ProviderName { get; }

    /// <summary>The base address requests go to, or null when neither the spec nor the options give an absolute one.</summary>
    public Uri? BaseAddress => _baseAddress is null ? null : new Uri(_baseAddress);

    /// <summary>Sends a request whose success response has no body worth reading.</summary>
    public async Task SendAsync(ApiRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, async: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The synchronous twin of <see cref="SendAsync(ApiRequest, CancellationToken)"/>.</summary>
    public void Send(ApiRequest request, CancellationToken cancellationToken = default)
    {
        using var response = Completed(SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, async: false, cancellationToken));
    }

    /// <summary>Sends a request and reads its JSON response with the source-generated <paramref name="typeInfo"/>.</summary>
    public async Task<T> SendAsync<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        (await ReadJsonAsync(request, typeInfo, async: true, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>The synchronous twin of <see cref="SendAsync{T}(ApiRequest, JsonTypeInfo{T}, CancellationToken)"/>.</summary>
    public T Send<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        Completed(ReadJsonAsync(request, typeInfo, async: false, cancellationToken)).Value;

    /// <summary>Sends a request and reads its JSON response, keeping the status and headers.</summary>
    public async Task<ApiResponse<T>> SendForResponseAsync<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        var (value, response) = await ReadJsonAsync(request, typeInfo, async: true, cancellationToken).ConfigureAwait(false);
        return ApiResponse<T>.From(value, response);
    }

    /// <summary>The synchronous twin of <see cref="SendForResponseAsync{T}"/>.</summary>
    public ApiResponse<T> SendForResponse<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        var (value, response) = Completed(ReadJsonAsync(request, typeInfo, async: false, cancellationToken));
        return ApiResponse<T>.From(value, response);
    }

    /// <summary>Sends a request and reads its response as text.</summary>
    public Task<string> SendForTextAsync(ApiRequest request, CancellationToken cancellationToken = default) =>
        ReadTextAsync(request, async: true, cancellationToken).AsTask();

    /// <summary>The synchronous twin of <see cref="SendForTextAsync"/>.</summary>
    public string SendForText(ApiRequest request, CancellationToken cancellationToken = default) =>
        Completed(ReadTextAsync(request, async: false, cancellationToken));

    /// <summary>
    /// Sends a request and returns its body as a stream as soon as the headers arrived; nothing is buffered whole.
    /// Dispose the stream to free the connection.
    /// </summary>
    public Task<Stream> SendForStreamAsync(ApiRequest request, CancellationToken cancellationToken = default) =>
        OpenStreamAsync(request, async: true, cancellationToken).AsTask();

    /// <summary>The synchronous twin of <see cref="SendForStreamAsync"/>.</summary>
    public Stream SendForStream(ApiRequest request, CancellationToken cancellationToken = default) =>
        Completed(OpenStreamAsync(request, async: false, cancellationToken));

    /// <summary>
    /// Builds the <see cref="HttpRequestMessage"/> of <paramref name="request"/>: absolute URL, credentials, headers, body.
    /// </summary>
    /// <exception cref="BadConfigException">The spec gives no absolute server URL and no base address was configured.</exception>
    public HttpRequestMessage CreateMessage(ApiRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_baseAddress is null)
        {
            throw new BadConfigException(ProviderName,
                "The API has no absolute base address: set ApiClientOptions.BaseAddress (or HttpClient.BaseAddress, or the SandboxesBaseUrl metadata of the spec).");
        }

        var extraQuery = new List<KeyValuePair<string, string>>();
        var headers = new List<KeyValuePair<string, string>>();
        ApplySecurity(request, headers, extraQuery);
        var query = request.BuildQuery(extraQuery);
        var url = _baseAddress + request.BuildPath() + (query.Length == 0 ? string.Empty : "?" + query);
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(url, UriKind.Absolute)) { Content = request.Content };
        foreach (var (name, value) in _defaultHeaders.Concat(headers).Concat(request.Headers))
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (request.Accept is not null)
        {
            message.Headers.Accept.ParseAdd(request.Accept);
        }

        return message;
    }

    /// <summary>Sends the request; a failed response is read and thrown as the typed error of <see cref="HttpErrorMapper"/>.</summary>
    protected async ValueTask<HttpResponseMessage> SendCoreAsync(ApiRequest request, HttpCompletionOption completion, bool async,
        CancellationToken cancellationToken)
    {
        using var message = CreateMessage(request);
        using var timeout = _timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(_timeout!.Value);
        HttpResponseMessage response;
        try
        {
            var token = timeout?.Token ?? cancellationToken;
            response = async
                ? await _httpClient.SendAsync(message, completion, token).ConfigureAwait(false)
                : _httpClient.Send(message, completion, token);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException(ProviderName, $"{request.Method} {request.PathTemplate} failed: {e.Message}", innerException: e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Our timeout or the HttpClient's: not the caller's cancellation.
            throw new ProviderException(ProviderName, $"{request.Method} {request.PathTemplate} timed out.", statusCode: 408, innerException: e);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await HttpErrorMapper.ReadBodyAsync(response, async, cancellationToken).ConfigureAwait(false);
                throw HttpErrorMapper.FromResponse(ProviderName, response, body, _timeProvider);
            }
        }

        return response;
    }

    private static T Completed<T>(ValueTask<T> task)
    {
        // With async: false every awaited call above ran synchronously, so the task has already finished.
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A synchronous call did not complete synchronously.");
        }

        return task.GetAwaiter().GetResult();
    }

    private static string? ResolveBaseAddress(HttpClient httpClient, ApiClientOptions options, string defaultBaseUrl,
        IReadOnlyDictionary<string, string>? variableDefaults)
    {
        string url;
        if (options.BaseAddress is not null)
        {
            url = options.BaseAddress.AbsoluteUri;
        }
        else
        {
            url = defaultBaseUrl;
            foreach (var (name, value) in variableDefaults ?? new Dictionary<string, string>())
            {
                url = url.Replace("{" + name + "}", options.ServerVariables.TryGetValue(name, out var given) ? given : value, StringComparison.Ordinal);
            }

            foreach (var (name, value) in options.ServerVariables)
            {
                url = url.Replace("{" + name + "}", value, StringComparison.Ordinal);
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out _) || url.StartsWith('/'))
            {
                // A relative server ("/api/v1") is relative to the HttpClient's base address, when it has one.
                if (httpClient.BaseAddress is null)
                {
                    return null;
                }

                url = new Uri(httpClient.BaseAddress, url).AbsoluteUri;
            }
        }

        return url.TrimEnd('/');
    }

    private void ApplySecurity(ApiRequest request, List<KeyValuePair<string, string>> headers, List<KeyValuePair<string, string>> query)
    {
        if (_credentials is null)
        {
            return;
        }

        foreach (var alternative in request.Security)
        {
            var values = alternative.Select(s => (Scheme: s, Value: _credentials.ValueFor(s))).ToList();
            if (values.Count == 0 || values.Any(v => v.Value is null))
            {
                continue;
            }

            foreach (var (scheme, value) in values)
            {
                switch (scheme.Kind)
                {
                    case ApiSecuritySchemeKind.Bearer:
                        headers.Add(new("Authorization", "Bearer " + value));
                        break;
                    case ApiSecuritySchemeKind.Basic:
                        headers.Add(new("Authorization", "Basic " + value));
                        break;
                    case ApiSecuritySchemeKind.ApiKey when scheme.Location == ApiKeyLocation.Query:
                        query.Add(new(scheme.ParameterName, value!));
                        break;
                    case ApiSecuritySchemeKind.ApiKey when scheme.Location == ApiKeyLocation.Cookie:
                        headers.Add(new("Cookie", scheme.ParameterName + "=" + value));
                        break;
                    default:
                        headers.Add(new(scheme.ParameterName, value!));
                        break;
                }
            }

            return;
        }
    }

    private async ValueTask<(T Value, HttpResponseMessage Response)> ReadJsonAsync<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, bool async,
        CancellationToken cancellationToken)
    {
        request.Accept ??= "application/json";
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, async, cancellationToken).ConfigureAwait(false);
        var bytes = async
            ? await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)
            : ReadAll(response.Content.ReadAsStream(cancellationToken));
        if (bytes.Length == 0)
        {
            return (default!, response);
        }

        try
        {
            // The response is disposed here; its status and headers stay readable for ApiResponse.
            return (JsonSerializer.Deserialize(bytes, typeInfo)!, response);
        }
        catch (JsonException e)
        {
            throw new ProviderException(ProviderName, $"{request.Method} {request.PathTemplate} returned JSON that does not match {typeof(T).Name}: {e.Message}",
                (int)response.StatusCode, responseBody: Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, HttpErrorMapper.MaxBodyLength)), innerException: e);
        }
    }

    private async ValueTask<string> ReadTextAsync(ApiRequest request, bool async, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, async, cancellationToken).ConfigureAwait(false);
        if (async)
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        using var reader = new StreamReader(response.Content.ReadAsStream(cancellationToken), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private async ValueTask<Stream> OpenStreamAsync(ApiRequest request, bool async, CancellationToken cancellationToken)
    {
        var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, async, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = async
                ? await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false)
                : response.Content.ReadAsStream(cancellationToken);
            return new ResponseStream(response, stream);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
    }
}
