namespace Sandboxes.Tests.Properties;

/// <summary>
/// A read-only stream of given bytes handed out a few at a time (as a network does), or endless: after the bytes, a
/// filler byte forever. Counts what was read, so a parser's reading can be bounded.
/// </summary>
public sealed class ChunkedStream : Stream
{
    private readonly byte[] _bytes;
    private readonly int _chunk;
    private readonly byte? _endlessFiller;
    private long _position;

    /// <param name="bytes">What the stream holds.</param>
    /// <param name="chunk">The most one read returns.</param>
    /// <param name="endlessFiller">When set, the stream never ends: this byte follows the given ones forever.</param>
    public ChunkedStream(byte[] bytes, int chunk = 4096, byte? endlessFiller = null)
    {
        _bytes = bytes;
        _chunk = Math.Max(1, chunk);
        _endlessFiller = endlessFiller;
    }

    /// <summary>How many bytes were read.</summary>
    public long Consumed => _position;

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

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _chunk);
        if (_position < _bytes.Length)
        {
            n = (int)Math.Min(n, _bytes.Length - _position);
            _bytes.AsSpan((int)_position, n).CopyTo(buffer);
        }
        else if (_endlessFiller is { } filler)
        {
            buffer[..n].Fill(filler);
        }
        else
        {
            return 0;
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
