using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// A started, non-TTY exec as the kit sees a process: its multiplexed output split into chunks, its stdin the taken-over
/// connection's write side, its exit status from the engine's exec inspection.
/// </summary>
internal sealed class DockerExecProcess : RemoteProcess
{
    private readonly HijackedConnection _connection;
    private readonly MultiplexedStreamReader _reader;
    private readonly Func<CancellationToken, Task<int>> _waitForExit;

    /// <param name="connection">The exec's taken-over connection.</param>
    /// <param name="waitForExit">Reads the exec's exit code once its output has ended.</param>
    public DockerExecProcess(HijackedConnection connection, Func<CancellationToken, Task<int>> waitForExit)
    {
        _connection = connection;
        _reader = new MultiplexedStreamReader(connection);
        _waitForExit = waitForExit;
    }

    public override async ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        var frame = await _reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
        return frame.Read ? new OutputChunk(frame.Kind == ExecStreamKind.Stderr, frame.Payload) : null;
    }

    public override Task<int> WaitForExitAsync(CancellationToken cancellationToken) => _waitForExit(cancellationToken);

    public override ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _connection.WriteAsync(data, cancellationToken);

    public override ValueTask CloseStdinAsync(CancellationToken cancellationToken)
    {
        _connection.CloseWrite();
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync() => _connection.DisposeAsync();
}
