using System.Net.Sockets;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// A connection the engine has taken over after answering an upgrade request: reads return the process's output (bytes that
/// arrived together with the response head first), writes go to its stdin, and <see cref="CloseWrite"/> half-closes the
/// connection, which the engine turns into end-of-file on the process's stdin.
/// </summary>
internal sealed class HijackedConnection : Stream
{
    private readonly DockerConnection _connection;
    private readonly Stream _stream;
    private ReadOnlyMemory<byte> _prefetched;
    private int _writeClosed;

    public HijackedConnection(DockerConnection connection, ReadOnlyMemory<byte> prefetched)
    {
        _connection = connection;
        _stream = connection.Stream;
        _prefetched = prefetched;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_prefetched.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _prefetched.Length);
            _prefetched[..n].CopyTo(buffer);
            _prefetched = _prefetched[n..];
            return n;
        }

        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return 0; // the engine dropped the connection once the process ended: that is the end of the output
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!_prefetched.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _prefetched.Length);
            _prefetched.Span[..n].CopyTo(buffer);
            _prefetched = _prefetched[n..];
            return n;
        }

        return _stream.Read(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _writeClosed) != 0)
        {
            throw new InvalidOperationException("The process's stdin is already closed.");
        }

        return _stream.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => _stream.Write(buffer, offset, count);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Half-closes the connection: the process sees end-of-file on stdin; its output still arrives.</summary>
    public void CloseWrite()
    {
        if (Interlocked.Exchange(ref _writeClosed, 1) == 0)
        {
            _connection.CloseWrite();
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection.Dispose();
        }

        base.Dispose(disposing);
    }
}
