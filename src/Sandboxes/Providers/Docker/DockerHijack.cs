using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Sends a request the engine answers by taking over the connection (exec start): a hand-written HTTP/1.1 exchange over
/// a fresh socket, because <see cref="HttpClient"/> cannot hand the connection back after the response head. The request
/// carries <c>Connection: Upgrade</c> and <c>Upgrade: tcp</c>; the engine answers <c>101 UPGRADED</c> (older engines
/// <c>200 OK</c>) and the raw stream follows the head. Any other status is an error whose JSON body is mapped like every
/// other response.
/// </summary>
internal static class DockerHijack
{
    private const int MaxHeadBytes = 64 * 1024;
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>POSTs <paramref name="jsonBody"/> to <paramref name="path"/> (already version-prefixed) and returns the taken-over connection.</summary>
    public static async Task<HijackedConnection> PostAsync(DockerEndpoint endpoint, string path, byte[] jsonBody, CancellationToken cancellationToken)
    {
        var connection = await endpoint.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var stream = connection.Stream;
        try
        {
            var head = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\n")
                .Append(CultureInfo.InvariantCulture, $"Host: {endpoint.HttpBase.Authority}\r\n")
                .Append("User-Agent: Sandboxes\r\n")
                .Append("Content-Type: application/json\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Length: {jsonBody.Length}\r\n")
                .Append("Connection: Upgrade\r\n")
                .Append("Upgrade: tcp\r\n")
                .Append("\r\n")
                .ToString();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(jsonBody, cancellationToken).ConfigureAwait(false);

            var (status, reason, headers, rest) = await ReadHeadAsync(stream, endpoint, cancellationToken).ConfigureAwait(false);
            if (status is 101 or (>= 200 and < 300))
            {
                return new HijackedConnection(connection, rest);
            }

            var body = await ReadErrorBodyAsync(stream, headers, rest, cancellationToken).ConfigureAwait(false);
            throw Http.HttpErrorMapper.Map(DockerProvider.ProviderId, status, body, reason);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            connection.Dispose();
            throw new ProviderException(DockerProvider.ProviderId, $"POST {path} failed: {e.Message}", innerException: e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static async Task<(int Status, string Reason, Dictionary<string, string> Headers, ReadOnlyMemory<byte> Body)> ReadHeadAsync(
        Stream stream, DockerEndpoint endpoint, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var filled = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf(HeadEnd);
            if (end >= 0)
            {
                var (status, reason, headers) = ParseHead(Encoding.ASCII.GetString(buffer, 0, end), endpoint);
                var restStart = end + HeadEnd.Length;
                return (status, reason, headers, buffer.AsMemory(restStart, filled - restStart));
            }

            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxHeadBytes)
                {
                    throw new ProviderException(DockerProvider.ProviderId, $"The engine at {endpoint} sent a response head over {MaxHeadBytes} bytes.");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new ProviderException(DockerProvider.ProviderId, $"The engine at {endpoint} closed the connection before answering.");
            }

            filled += n;
        }
    }

    private static (int Status, string Reason, Dictionary<string, string> Headers) ParseHead(string head, DockerEndpoint endpoint)
    {
        var lines = head.Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new ProviderException(DockerProvider.ProviderId, $"The engine at {endpoint} answered with a malformed status line: {lines[0]}");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return (status, statusLine.Length > 2 ? statusLine[2] : string.Empty, headers);
    }

    private static async Task<string> ReadErrorBodyAsync(Stream stream, Dictionary<string, string> headers, ReadOnlyMemory<byte> rest,
        CancellationToken cancellationToken)
    {
        // Error bodies are small JSON documents; read what the head announces (or until the engine closes), at most 64 KiB.
        using var body = new MemoryStream();
        body.Write(rest.Span);
        var chunked = headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        long? length = headers.TryGetValue("Content-Length", out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var l)
            ? l
            : null;
        var buffer = new byte[4096];
        while ((length is null || body.Length < length) && body.Length < MaxHeadBytes)
        {
            if (chunked && EndsWithLastChunk(body))
            {
                break;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            body.Write(buffer, 0, n);
        }

        var raw = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
        return chunked ? Dechunk(raw) : raw;
    }

    private static bool EndsWithLastChunk(MemoryStream body) =>
        body.Length >= 5 && body.GetBuffer().AsSpan((int)body.Length - 5, 5).SequenceEqual("0\r\n\r\n"u8);

    /// <summary>The body of a chunked error answer; a chunk cut short, or a size past the end, ends it.</summary>
    internal static string Dechunk(string raw)
    {
        var result = new StringBuilder();
        var position = 0;
        while (position < raw.Length)
        {
            var lineEnd = raw.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(raw.AsSpan(position, lineEnd - position).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size)
                || size <= 0)
            {
                // The last chunk, or no chunk size (hex "FFFFFFFF" parses as -1).
                break;
            }

            var start = lineEnd + 2;
            if (size > raw.Length - start)
            {
                // The chunk runs past what was read (a cut body, or a size no engine sends): keep what is there and stop,
                // before start + size could overflow.
                result.Append(raw, start, raw.Length - start);
                break;
            }

            result.Append(raw, start, size);
            position = start + size + 2;
        }

        return result.ToString();
    }
}
