using System.Text;

namespace Sandboxes.Http;

/// <summary>
/// Reads the lines of a streamed response (server-sent events, NDJSON) as UTF-8, ending at <c>\n</c>, <c>\r</c> or
/// <c>\r\n</c> as <see cref="StreamReader.ReadLine"/> does, but with a bound: a line longer than
/// <see cref="MaxLineLength"/> characters is refused with a <see cref="ProviderException"/> as soon as it grows past
/// it, so a vendor that never sends a line end cannot make the client hold everything it sends. A connection that
/// breaks off is a <see cref="ProviderException"/> too.
/// </summary>
internal sealed class StreamedLineReader : IDisposable
{
    /// <summary>The longest line taken: far above any event or JSON line a vendor sends.</summary>
    public const int MaxLineLength = 8 * 1024 * 1024;

    private readonly StreamReader _reader;
    private readonly string _provider;
    private readonly char[] _chunk = new char[4096];
    private readonly StringBuilder _line = new();
    private int _position;
    private int _length;
    private bool _skipLineFeed;

    public StreamedLineReader(Stream stream, string provider)
    {
        _reader = new StreamReader(stream, Encoding.UTF8);
        _provider = provider;
    }

    /// <summary>The next line without its end, or null at the end of the stream.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_position == _length)
            {
                try
                {
                    _length = await _reader.ReadAsync(_chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw BrokeOff(e);
                }

                _position = 0;
                if (_length == 0)
                {
                    return TakeLast();
                }
            }

            if (TryTakeLine() is { } line)
            {
                return line;
            }
        }
    }

    /// <summary>The synchronous twin of <see cref="ReadLineAsync"/>.</summary>
    public string? ReadLine()
    {
        while (true)
        {
            if (_position == _length)
            {
                try
                {
                    _length = _reader.Read(_chunk, 0, _chunk.Length);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw BrokeOff(e);
                }

                _position = 0;
                if (_length == 0)
                {
                    return TakeLast();
                }
            }

            if (TryTakeLine() is { } line)
            {
                return line;
            }
        }
    }

    public void Dispose() => _reader.Dispose();

    // Takes a line from the chunk read, or keeps what there is for the next chunk (null).
    private string? TryTakeLine()
    {
        if (_skipLineFeed)
        {
            // The previous line ended with \r: a \n right after it belongs to that line end.
            _skipLineFeed = false;
            if (_chunk[_position] == '\n' && ++_position == _length)
            {
                return null;
            }
        }

        var rest = _chunk.AsSpan(_position, _length - _position);
        var end = rest.IndexOfAny('\r', '\n');
        if (end < 0)
        {
            Append(rest);
            _position = _length;
            return null;
        }

        Append(rest[..end]);
        _skipLineFeed = rest[end] == '\r';
        _position += end + 1;
        var line = _line.ToString();
        _line.Clear();
        return line;
    }

    private string? TakeLast()
    {
        if (_line.Length == 0)
        {
            return null;
        }

        var line = _line.ToString();
        _line.Clear();
        return line;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (_line.Length + text.Length > MaxLineLength)
        {
            throw new ProviderException(_provider, $"A streamed response has a line over {MaxLineLength} characters; the stream is refused.");
        }

        _line.Append(text);
    }

    private ProviderException BrokeOff(Exception e) =>
        new(_provider, $"The streamed response broke off: {e.Message}", innerException: e);
}
