namespace Sandboxes.Providers.Docker;

/// <summary>
/// A terminal in a container: an exec with a TTY, whose taken-over connection carries the terminal's raw bytes both ways.
/// Resizing goes through <c>POST /exec/{id}/resize</c>; the exit code comes from exec inspect.
/// </summary>
internal sealed class DockerPtySession : PtySession
{
    private readonly HijackedConnection _connection;
    private readonly Func<int, int, CancellationToken, Task> _resize;
    private readonly Func<string, Task> _killTree;
    private readonly Func<CancellationToken, Task<int>> _waitForExit;
    private readonly Action<DockerPtySession> _closed;
    private ReadOnlyMemory<byte> _pending;
    private PtyInfo _info;
    private int _disposed;

    /// <param name="connection">The exec's connection, positioned after the pid announcement.</param>
    /// <param name="pending">Terminal output that arrived together with the pid announcement.</param>
    /// <param name="pid">The pid of the program on the terminal, inside the container.</param>
    /// <param name="rows">The initial rows.</param>
    /// <param name="cols">The initial columns.</param>
    /// <param name="resize">Resizes the exec's terminal.</param>
    /// <param name="killTree">Signals every process started on the terminal.</param>
    /// <param name="waitForExit">Reads the exit code once the program ended.</param>
    /// <param name="closed">Called once when the session is disposed.</param>
    public DockerPtySession(HijackedConnection connection, ReadOnlyMemory<byte> pending, int pid, int rows, int cols,
        Func<int, int, CancellationToken, Task> resize, Func<string, Task> killTree, Func<CancellationToken, Task<int>> waitForExit,
        Action<DockerPtySession> closed)
    {
        _connection = connection;
        _pending = pending;
        Pid = pid;
        _info = new PtyInfo(pid, rows, cols);
        _resize = resize;
        _killTree = killTree;
        _waitForExit = waitForExit;
        _closed = closed;
    }

    public override int Pid { get; }

    public override PtyInfo Info => _info;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_pending.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _pending.Length);
            _pending[..n].CopyTo(buffer);
            _pending = _pending[n..];
            return n;
        }

        try
        {
            return await _connection.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        try
        {
            await _connection.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            throw new SandboxStateException(DockerProvider.ProviderId, string.Empty, SandboxStatus.Stopped,
                $"The terminal of process {Pid} is closed: {e.Message}");
        }
    }

    public override async ValueTask ResizeAsync(int rows, int cols, CancellationToken cancellationToken = default)
    {
        await _resize(rows, cols, cancellationToken).ConfigureAwait(false);
        _info = _info with { Rows = rows, Cols = cols };
    }

    public override Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _waitForExit(cancellationToken);

    public override async ValueTask KillAsync(CancellationToken cancellationToken = default) =>
        await _killTree("KILL").ConfigureAwait(false);

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _closed(this);
        try
        {
            // Closing a terminal hangs up on its programs, as a terminal emulator's window closing does.
            await _killTree("HUP").ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            // The sandbox is gone, and the programs with it.
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
