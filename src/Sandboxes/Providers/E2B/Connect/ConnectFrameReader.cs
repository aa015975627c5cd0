using System.Buffers;
using System.Buffers.Binary;

namespace Sandboxes.Providers.E2B.Connect;

/// <summary>
/// Reads the enveloped messages of a Connect streaming response as they arrive: each is a flags byte, a four-byte
/// big-endian length and that many bytes. One pooled buffer serves every frame; it grows only for a larger message,
/// and only as that message's bytes arrive: a length prefix alone (corrupt, or hostile) costs no memory.
/// </summary>
internal sealed class ConnectFrameReader : IDisposable
{
    /// <summary>Messages larger than this are refused: a corrupt length must not make the client allocate gigabytes.</summary>
    public const int MaxMessageLength = 64 * 1024 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer;

    public ConnectFrameReader(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    }

    /// <summary>Reads the next frame; null when the stream ended cleanly between frames.</summary>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame (the connection was dropped).</exception>
    /// <exception cref="InvalidDataException">A length is out of range.</exception>
    public async ValueTask<ConnectFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        var prefix = await FillAsync(ConnectFrame.PrefixLength, allowEmpty: true, cancellationToken).ConfigureAwait(false);
        if (!prefix)
        {
            return null;
        }

        var flags = _buffer[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(1, 4));
        if (length > MaxMessageLength)
        {
            throw new InvalidDataException($"A Connect message of {length} bytes is larger than the {MaxMessageLength} allowed.");
        }

        await FillAsync((int)length, allowEmpty: false, cancellationToken).ConfigureAwait(false);
        return new ConnectFrame(flags, _buffer.AsMemory(0, (int)length));
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<bool> FillAsync(int count, bool allowEmpty, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < count)
        {
            if (read == _buffer.Length)
            {
                Grow(Math.Min(count, _buffer.Length * 2), read);
            }

            var n = await _stream.ReadAsync(_buffer.AsMemory(read, Math.Min(count, _buffer.Length) - read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (read == 0 && allowEmpty)
                {
                    return false;
                }

                throw new EndOfStreamException($"The Connect stream ended inside a message ({read} of {count} bytes read).");
            }

            read += n;
        }

        return true;
    }

    // A larger buffer holding the first `keep` bytes of the current one; doubled at most, so a message's memory follows
    // the bytes that came, never the length it claimed.
    private void Grow(int size, int keep)
    {
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, keep).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
