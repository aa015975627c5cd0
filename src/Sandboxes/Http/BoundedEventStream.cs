namespace Sandboxes.Http;

/// <summary>
/// A read-only view of a <c>text/event-stream</c> body that refuses, with a <see cref="ProviderException"/>, a line longer
/// than <see cref="StreamedLineReader.MaxLineLength"/> or an event longer than <see cref="MaxEventLength"/>:
/// <see cref="System.Net.ServerSentEvents.SseParser"/> holds a line, and an event's data, until they end, so without these
/// bounds a vendor that never ends one would make the client hold everything it sends.
/// </summary>
internal sealed class BoundedEventStream(Stream inner, string provider) : Stream
{
    /// <summary>The longest event taken (its lines together): far above any event a vendor sends.</summary>
    public const int MaxEventLength = 16 * 1024 * 1024;

    private long _lineLength;
    private long _eventLength;
    private bool _afterCarriageReturn;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(buffer[..inner.Read(buffer)]);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Count(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Follows line and event ends (<c>\n</c>, <c>\r</c> or <c>\r\n</c>; an empty line ends an event) through the bytes read.</summary>
    private int Count(ReadOnlySpan<byte> read)
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

        return read.Length;
    }
}
