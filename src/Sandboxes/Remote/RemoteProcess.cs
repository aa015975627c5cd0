namespace Sandboxes.Remote;

/// <summary>
/// A process started in a sandbox through a provider's own call (an exec, an envd stream, a toolbox session): the one
/// primitive the kit needs from a provider to build every command operation. Its output is read chunk by chunk until it
/// ends, then its exit status is asked for. Disposing it closes this client's connection to the process; the process
/// itself runs on (killing is the kit's job, by process tree).
/// </summary>
internal abstract class RemoteProcess : IAsyncDisposable
{
    /// <summary>The next chunk of output, or null once both streams have ended.</summary>
    /// <remarks>A chunk's bytes are valid until the next call.</remarks>
    public abstract ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>The exit status once the output has ended: the exit code, 128 + N when signal N killed it.</summary>
    public abstract Task<int> WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>Writes to the process's stdin (launched with <see cref="ProcessLaunch.Stdin"/>).</summary>
    /// <exception cref="IOException">The process no longer reads its stdin.</exception>
    public abstract ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Closes the process's stdin; closing it twice is not an error.</summary>
    public abstract ValueTask CloseStdinAsync(CancellationToken cancellationToken);

    /// <summary>Closes this client's connection to the process.</summary>
    public abstract ValueTask DisposeAsync();
}
