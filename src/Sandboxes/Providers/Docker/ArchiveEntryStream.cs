using System.Formats.Tar;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// The data of the one file in a <c>GET /containers/{id}/archive</c> answer, read straight from the response as it
/// arrives; disposing it closes the response.
/// </summary>
internal sealed class ArchiveEntryStream : Stream
{
    private readonly Stream _data;
    private readonly TarReader _reader;
    private readonly Stream _response;
    private readonly long _length;

    public ArchiveEntryStream(Stream data, long length, TarReader reader, Stream response)
    {
        _data = data;
        _length = length;
        _reader = reader;
        _response = response;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The file's size, from its tar header.</summary>
    public override long Length => _length;

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => _data.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _data.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _data.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _data.ReadAsync(buffer, cancellationToken);

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
            _reader.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }
}
