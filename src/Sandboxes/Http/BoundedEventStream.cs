namespace Sandboxes.Http;

/// <summary>
/// A read-only view of a <c>text/event-stream</c> body that refuses, with a <see cref="ProviderException"/>, a line longer
/// than <see cref="StreamedLineReader.MaxLineLength"/> or an event longer than <see cref="MaxEventLength"/>:
/// <see cref="System.Net.ServerSentEvents.SseParser"/> holds a line, and an event's data, until they end, so without these
/// bounds a vendor that never ends one would make the client hold everything it sends.
/// </summary>
internal sealed class BoundedEventStream(Stream inner, string provider) : InspectedReadStream(inner)
{
    /// <summary>The longest event taken (its lines together): far above any event a vendor sends.</summary>
    public const int MaxEventLength = 16 * 1024 * 1024;

    private long _lineLength;
    private long _eventLength;
    private bool _afterCarriageReturn;

    /// <summary>Follows line and event ends (<c>\n</c>, <c>\r</c> or <c>\r\n</c>; an empty line ends an event) through the bytes read.</summary>
    protected override void Inspect(ReadOnlySpan<byte> read)
    {
        foreach (var b in read)
        {
            if (b == '\n' && _afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                continue;
            }

            _afterCarriageReturn = b == '\r';
            if (b is (byte)'\n' or (byte)'\r')
            {
                if (_lineLength == 0)
                {
                    _eventLength = 0;
                }

                _lineLength = 0;
                continue;
            }

            _lineLength++;
            _eventLength++;
        }

        if (_lineLength > StreamedLineReader.MaxLineLength)
        {
            throw new ProviderException(provider, $"A streamed line is longer than {StreamedLineReader.MaxLineLength} characters; the stream is refused.");
        }

        if (_eventLength > MaxEventLength)
        {
            throw new ProviderException(provider, $"A server-sent event carries over {MaxEventLength} characters; the stream is refused.");
        }
    }
}
