using System.Formats.Tar;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// The data of the one file in a <c>GET /containers/{id}/archive</c> answer, read straight from the response as it
/// arrives; disposing it closes the response. An archive cut inside the file (the tar reader would just stop) or
/// broken off is a <see cref="ProviderException"/>: a reader never gets a silently shortened file.
/// </summary>
internal sealed class ArchiveEntryStream : Stream
{
    private readonly Stream _data;
    private readonly TarReader _reader;
    private readonly Stream _response;
    private readonly long _length;
    private readonly string _path;
    private long _read;

    public ArchiveEntryStream(Stream data, long length, TarReader reader, Stream response, string path)
    {
        _data = data;
        _length = length;
        _reader = reader;
        _response = response;
        _path = path;
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

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Counted(_data.Read(buffer), buffer.Length);
        }
        catch (Exception e) when (e is IOException || DockerArchive.IsDamage(e))
        {
            throw DockerArchive.Damaged(_path, e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Counted(await _data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);
        }
        catch (Exception e) when (e is IOException || DockerArchive.IsDamage(e))
        {
            throw DockerArchive.Damaged(_path, e);
        }
    }

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

    // The end of the data before the header's size is a cut archive, not the end of the file.
    private int Counted(int n, int asked)
    {
        _read += n;
        if (n == 0 && asked > 0 && _read < _length)
        {
            throw new ProviderException(DockerProvider.ProviderId,
                $"The engine's archive of {_path} ended after {_read} of the file's {_length} bytes (the connection was cut).");
        }

        return n;
    }
}
