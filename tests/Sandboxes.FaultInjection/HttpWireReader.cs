using System.Globalization;
using System.Text;

namespace Sandboxes.FaultInjection;

/// <summary>
/// Reads HTTP/1.1 messages off one side of a proxied connection: heads, then bodies framed by length, by chunks or by
/// the end of the connection, copying the bytes exactly as they came to the other side (and, when asked, keeping the
/// decoded body).
/// </summary>
internal sealed class HttpWireReader
{
    private const int MaxHead = 64 * 1024;
    private readonly Stream _source;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public HttpWireReader(Stream source)
    {
        _source = source;
    }

    /// <summary>Reads one message head; null when the connection ends before one starts.</summary>
    public async Task<HttpMessageHead?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new MemoryStream();
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return head.Length == 0 ? null : throw new IOException("The connection ended inside a message head.");
            }

            head.Write(line);
            if (line.Length == 2 && head.Length > 2)
            {
                return HttpMessageHead.Parse(head.ToArray());
            }

            if (line.Length == 2)
            {
                head.SetLength(0); // a stray blank line between messages
            }

            if (head.Length > MaxHead)
            {
                throw new IOException("A message head is too long.");
            }
        }
    }

    /// <summary>Copies the body <paramref name="head"/> announces to <paramref name="destination"/>, and to <paramref name="decoded"/> if given.</summary>
    public async Task CopyBodyAsync(HttpMessageHead head, Stream? destination, Stream? decoded, CancellationToken cancellationToken)
    {
        if (head.IsChunked)
        {
            while (true)
            {
                var sizeLine = await ReadLineAsync(cancellationToken) ?? throw new IOException("The connection ended inside a chunked body.");
                await WriteAsync(destination, sizeLine, cancellationToken);
                var size = long.Parse(Encoding.ASCII.GetString(sizeLine).Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    // Trailers, up to the blank line that ends the body.
                    while (await ReadLineAsync(cancellationToken) is { } trailer)
                    {
                        await WriteAsync(destination, trailer, cancellationToken);
                        if (trailer.Length == 2)
                        {
                            break;
                        }
                    }

                    return;
                }

                await CopyExactlyAsync(size, destination, decoded, cancellationToken);
                await CopyExactlyAsync(2, destination, null, cancellationToken);
            }
        }

        if (head.ContentLength is { } length)
        {
            await CopyExactlyAsync(length, destination, decoded, cancellationToken);
        }
    }

    /// <summary>Copies everything until the connection ends.</summary>
    public async Task CopyToEndAsync(Stream destination, CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken))
        {
            await destination.WriteAsync(_buffer.AsMemory(_start, _end - _start), cancellationToken);
            await destination.FlushAsync(cancellationToken);
            _start = _end;
        }
    }

    /// <summary>Waits until the connection ends, discarding what comes.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken))
        {
            _start = _end;
        }
    }

    private async Task CopyExactlyAsync(long count, Stream? destination, Stream? decoded, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (!await FillAsync(cancellationToken))
            {
                throw new IOException("The connection ended inside a body.");
            }

            var n = (int)Math.Min(count, _end - _start);
            var chunk = _buffer.AsMemory(_start, n);
            if (destination is not null)
            {
                await destination.WriteAsync(chunk, cancellationToken);
            }

            decoded?.Write(chunk.Span);
            _start += n;
            count -= n;
        }

        if (destination is not null)
        {
            await destination.FlushAsync(cancellationToken);
        }
    }

    /// <summary>One line, CRLF included; null at the end of the connection.</summary>
    private async Task<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new MemoryStream();
        while (true)
        {
            if (!await FillAsync(cancellationToken))
            {
                return line.Length == 0 ? null : throw new IOException("The connection ended inside a line.");
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var take = newline < 0 ? _end - _start : newline - _start + 1;
            line.Write(_buffer, _start, take);
            _start += take;
            if (newline >= 0)
            {
                return line.ToArray();
            }

            if (line.Length > MaxHead)
            {
                throw new IOException("A line is too long.");
            }
        }
    }

    /// <summary>Makes sure some unread bytes are buffered; false at the end of the connection.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start < _end)
        {
            return true;
        }

        _start = 0;
        _end = await _source.ReadAsync(_buffer, cancellationToken);
        return _end > 0;
    }

    private static async Task WriteAsync(Stream? destination, byte[] bytes, CancellationToken cancellationToken)
    {
        if (destination is not null)
        {
            await destination.WriteAsync(bytes, cancellationToken);
        }
    }
}
