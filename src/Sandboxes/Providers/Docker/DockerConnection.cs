namespace Sandboxes.Providers.Docker;

/// <summary>
/// One connection to the engine, whatever carries it (a unix socket, TCP, TLS over TCP, an ssh process): the byte
/// stream, which owns everything under it, and the way to half-close it, which the engine turns into end-of-file on a
/// process's stdin.
/// </summary>
internal sealed class DockerConnection(Stream stream, Action closeWrite) : IDisposable
{
    private int _writeClosed;

    /// <summary>The connection's bytes; disposing it closes the connection.</summary>
    public Stream Stream { get; } = stream;

    /// <summary>Ends what this side sends; what the engine sends still arrives. Once only; later calls do nothing.</summary>
    public void CloseWrite()
    {
        if (Interlocked.Exchange(ref _writeClosed, 1) == 0)
        {
            closeWrite();
        }
    }

    /// <inheritdoc />
    public void Dispose() => Stream.Dispose();
}
