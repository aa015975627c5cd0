namespace Sandboxes;

/// <summary>
/// An open pseudo-terminal: read what the program prints, write what the user types, resize it, wait for the program to exit.
/// Disposing the session closes the terminal (the program receives SIGHUP).
/// </summary>
public abstract class PtySession : IAsyncDisposable, IDisposable
{
    /// <summary>The pid of the program on the terminal (inside the sandbox).</summary>
    public abstract int Pid { get; }

    /// <summary>The current size.</summary>
    public abstract PtyInfo Info { get; }

    /// <summary>Reads terminal output; returns 0 once the program has exited and all output was read.</summary>
    public abstract ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes input to the terminal, as if typed.</summary>
    public abstract ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Changes the terminal size; the program receives SIGWINCH.</summary>
    public abstract ValueTask ResizeAsync(int rows, int cols, CancellationToken cancellationToken = default);

    /// <summary>Waits for the program to exit and returns its exit code.</summary>
    public abstract Task<int> WaitForExitAsync(CancellationToken cancellationToken = default);

    /// <summary>Kills the program on the terminal.</summary>
    public abstract ValueTask KillAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes text (UTF-8) to the terminal.</summary>
    public ValueTask WriteAsync(string text, CancellationToken cancellationToken = default) =>
        WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <inheritdoc />
    public void Dispose()
    {
        SyncBridge.Run(_ => DisposeAsync().AsTask(), CancellationToken.None);
        GC.SuppressFinalize(this);
    }
}
