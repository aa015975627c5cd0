using System.Buffers.Binary;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Splits the engine's multiplexed exec output (a non-TTY exec) into frames. Each frame is an 8-byte header,
/// <c>[stream, 0, 0, 0, size (uint32 big-endian)]</c>, followed by <c>size</c> bytes of that stream. The payload buffer
/// grows as a frame's bytes arrive, not by the size its header claims.
/// </summary>
internal sealed class MultiplexedStreamReader
{
    private const int MaxFrame = 16 * 1024 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[8];
    private byte[] _payload = new byte[32 * 1024];

    public MultiplexedStreamReader(Stream stream) => _stream = stream;

    /// <summary>
    /// Reads the next frame. Returns false at the end of the output; the payload stays valid until the next call.
    /// </summary>
    /// <exception cref="ProviderException">The stream ended inside a frame or carries a header that is not a frame header.</exception>
    public async ValueTask<(bool Read, ExecStreamKind Kind, ReadOnlyMemory<byte> Payload)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var got = await _stream.ReadAtLeastAsync(_header, _header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return (false, default, default);
        }

        if (got < _header.Length)
        {
            throw Truncated();
        }

        var kind = _header[0];
        var size = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
        if (kind > 2 || _header[1] != 0 || _header[2] != 0 || _header[3] != 0 || size > MaxFrame)
        {
            throw new ProviderException(DockerProvider.ProviderId,
                "The exec output is not a multiplexed stream (a frame header was expected); is the engine Docker-API compatible?");
        }

        var read = 0;
        while (read < size)
        {
            if (read == _payload.Length)
            {
                Array.Resize(ref _payload, (int)Math.Min(size, (uint)_payload.Length * 2));
            }

            var n = await _stream.ReadAsync(_payload.AsMemory(read, (int)Math.Min(size, (uint)_payload.Length) - read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw Truncated();
            }

            read += n;
        }

        return (true, (ExecStreamKind)kind, _payload.AsMemory(0, (int)size));
    }

    private static ProviderException Truncated() =>
        new(DockerProvider.ProviderId, "The exec output ended in the middle of a frame: the engine closed the connection early.");
}
