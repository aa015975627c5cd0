using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Sandboxes.Http;

namespace Sandboxes.Providers.E2B.Connect;

/// <summary>
/// A small Connect protocol client over <see cref="HttpClient"/> with the binary (protobuf) codec: unary calls are a
/// <c>POST</c> of <c>application/proto</c>; server-streaming calls send one enveloped request as
/// <c>application/connect+proto</c> and read enveloped messages until the end-of-stream message, whose JSON carries the
/// error, if any. No compression is offered, so none is used. Thread-safe; one instance serves one server.
/// </summary>
internal sealed class ConnectClient
{
    private const string ProtocolVersionHeader = "Connect-Protocol-Version";
    private const string TimeoutHeader = "Connect-Timeout-Ms";
    private static readonly MediaTypeHeaderValue UnaryMediaType = new("application/proto");
    private static readonly MediaTypeHeaderValue StreamMediaType = new("application/connect+proto");

    private readonly HttpClient _http;
    private readonly string _baseUrl;
    private readonly KeyValuePair<string, string>[] _headers;

    /// <summary>Creates the client.</summary>
    /// <param name="http">The client requests go through (not disposed here).</param>
    /// <param name="baseUrl">The server; procedures are appended as <c>/package.Service/Method</c>.</param>
    /// <param name="headers">Headers sent with every call (credentials, routing).</param>
    /// <param name="provider">The provider name errors carry.</param>
    public ConnectClient(HttpClient http, Uri baseUrl, IEnumerable<KeyValuePair<string, string>> headers, string provider)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _http = http;
        _baseUrl = baseUrl.AbsoluteUri.TrimEnd('/');
        _headers = headers.ToArray();
        Provider = provider;
    }

    /// <summary>The provider name errors carry.</summary>
    public string Provider { get; }

    /// <summary>Makes a unary call and parses its response with <paramref name="parser"/>.</summary>
    /// <exception cref="SandboxException">The server answered with an error (mapped by its Connect code) or could not be reached.</exception>
    public async Task<TResponse> CallAsync<TResponse>(string procedure, IMessage request, MessageParser<TResponse> parser,
        ConnectCallOptions? options, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        using var message = CreateMessage(procedure, options);
        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = UnaryMediaType;
        message.Content = content;
        using var response = await SendAsync(message, procedure, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await HttpErrorMapper.ReadBodyAsync(response, async: true, cancellationToken).ConfigureAwait(false);
            throw ConnectErrors.FromResponse(Provider, response, body);
        }

        var bytes = await ReadBodyAsync(response, procedure, cancellationToken).ConfigureAwait(false);
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            throw new ProviderException(Provider, $"{procedure} returned a message that is not a valid {typeof(TResponse).Name}: {e.Message}",
                (int)response.StatusCode, innerException: e);
        }
    }

    /// <summary>
    /// Makes a server-streaming call and yields each response message as it arrives. The end-of-stream message ends the
    /// sequence, or throws the error it carries; a stream that stops without one is an error too (a dropped connection).
    /// Leaving the loop early closes the connection.
    /// </summary>
    /// <exception cref="SandboxException">The call failed, before or during the stream.</exception>
    public async IAsyncEnumerable<TResponse> StreamAsync<TResponse>(string procedure, IMessage request, MessageParser<TResponse> parser,
        ConnectCallOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        using var message = CreateMessage(procedure, options);
        message.Content = Enveloped(request);
        using var response = await SendAsync(message, procedure, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await HttpErrorMapper.ReadBodyAsync(response, async: true, cancellationToken).ConfigureAwait(false);
            throw ConnectErrors.FromResponse(Provider, response, body);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = stream.ConfigureAwait(false);
        using var reader = new ConnectFrameReader(stream);
        while (true)
        {
            ConnectFrame? next;
            try
            {
                next = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or HttpRequestException)
            {
                throw new ProviderException(Provider, $"{procedure}: the stream broke off: {e.Message}", innerException: e);
            }

            if (next is not { } frame)
            {
                throw new ProviderException(Provider, $"{procedure}: the stream ended without its end-of-stream message (the connection was dropped).",
                    innerException: new IOException("Connect stream truncated."));
            }

            if (frame.IsEndStream)
            {
                if (ConnectErrors.FromEndStream(Provider, frame.Payload.Span) is { } error)
                {
                    throw error;
                }

                yield break;
            }

            if ((frame.Flags & ConnectFrame.CompressedFlag) != 0)
            {
                throw new ProviderException(Provider, $"{procedure}: the server sent a compressed message although none was offered.");
            }

            TResponse item;
            try
            {
                item = parser.ParseFrom(frame.Payload.Span);
            }
            catch (Exception e) when (IsMalformed(e))
            {
                throw new ProviderException(Provider, $"{procedure} streamed a message that is not a valid {typeof(TResponse).Name}: {e.Message}", innerException: e);
            }

            yield return item;
        }
    }

    // What the protobuf parser throws on bytes that are no message: its own exception, and on some malformed varints
    // and lengths an IndexOutOfRangeException from its span reader (found by fuzzing).
    private static bool IsMalformed(Exception e) => e is InvalidProtocolBufferException or IndexOutOfRangeException or ArgumentOutOfRangeException;

    /// <summary>The enveloped form of one request message: flags 0, the big-endian length, the message.</summary>
    public static ByteArrayContent Enveloped(IMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var size = request.CalculateSize();
        var buffer = new byte[ConnectFrame.PrefixLength + size];
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1, 4), (uint)size);
        request.WriteTo(buffer.AsSpan(ConnectFrame.PrefixLength));
        var content = new ByteArrayContent(buffer);
        content.Headers.ContentType = StreamMediaType;
        return content;
    }

    private HttpRequestMessage CreateMessage(string procedure, ConnectCallOptions? options)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl + "/" + procedure, UriKind.Absolute));
        message.Headers.TryAddWithoutValidation(ProtocolVersionHeader, "1");
        foreach (var (name, value) in _headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (options is not null)
        {
            foreach (var (name, value) in options.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            if (options.ServerTimeout is { } timeout)
            {
                var ms = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));
                message.Headers.TryAddWithoutValidation(TimeoutHeader, ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return message;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, string procedure, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException(Provider, $"{procedure} failed: {e.Message}", innerException: e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException(Provider, $"{procedure} timed out.", statusCode: 408, innerException: e);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string procedure, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new ProviderException(Provider, $"{procedure}: the response broke off: {e.Message}", innerException: e);
        }
    }
}
