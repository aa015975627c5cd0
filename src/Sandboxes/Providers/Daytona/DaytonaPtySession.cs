using System.Net.WebSockets;
using System.Threading.Channels;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// A Daytona PTY session over the toolbox's WebSocket (<c>/process/pty/{id}/connect</c>), as Daytona's SDKs speak it:
/// input goes as binary frames; output arrives as binary frames; JSON text frames are control messages
/// (<c>{"type":"control","status":"connected"}</c>, <c>"exited"</c> with <c>exitCode</c> and <c>exitReason</c>, <c>"error"</c>
/// with <c>error</c>), the exit one sent because the client offers the <c>X-Daytona-Pty-Exit-Control</c> subprotocol; the
/// close frame's reason repeats the exit as JSON. Resize and kill are REST calls of the toolbox.
/// </summary>
internal sealed class DaytonaPtySession : PtySession
{
    /// <summary>The subprotocol that asks the daemon for the <c>exited</c> control message.</summary>
    public const string ExitControlSubprotocol = "X-Daytona-Pty-Exit-Control";

    private readonly ClientWebSocket _socket;
    private readonly Func<int, int, CancellationToken, Task> _resize;
    private readonly Func<CancellationToken, Task> _kill;
    private readonly Channel<byte[]> _output = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private ReadOnlyMemory<byte> _pending;
    private int _rows;
    private int _cols;
    private int _disposed;

    /// <param name="socket">The connected WebSocket.</param>
    /// <param name="sessionId">Daytona's PTY session id.</param>
    /// <param name="rows">Initial rows.</param>
    /// <param name="cols">Initial columns.</param>
    /// <param name="resize">Resizes the session (rows, columns).</param>
    /// <param name="kill">Deletes the session, which kills its program.</param>
    public DaytonaPtySession(ClientWebSocket socket, string sessionId, int rows, int cols, Func<int, int, CancellationToken, Task> resize,
        Func<CancellationToken, Task> kill)
    {
        _socket = socket;
        SessionId = sessionId;
        _rows = rows;
        _cols = cols;
        _resize = resize;
        _kill = kill;
        // A failed attach is reported through WaitForConnectedAsync; nobody else must see it as unobserved.
        _ = _connected.Task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Daytona's id of the session.</summary>
    public string SessionId { get; }

    /// <inheritdoc />
    public override int Pid => PidValue;

    /// <summary>The program's pid, found once the session runs.</summary>
    internal int PidValue { get; set; }

    /// <inheritdoc />
    public override PtyInfo Info => new(Pid, Volatile.Read(ref _rows), Volatile.Read(ref _cols));

    /// <summary>Completes when the daemon says the client is attached; fails if it reports an error or closes first.</summary>
    public Task WaitForConnectedAsync(CancellationToken cancellationToken) => _connected.Task.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pending.IsEmpty)
        {
            if (!await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            if (_output.Reader.TryRead(out var chunk))
            {
                _pending = chunk;
            }
        }

        var n = Math.Min(buffer.Length, _pending.Length);
        _pending[..n].CopyTo(buffer);
        _pending = _pending[n..];
        return n;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_exit.Task.IsCompleted || _socket.State != WebSocketState.Open)
            {
                throw new SandboxStateException(DaytonaProvider.ProviderId, string.Empty, SandboxStatus.Stopped,
                    $"The terminal's program has exited; PTY session {SessionId} takes no more input.");
            }

            await _socket.SendAsync(data, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <inheritdoc />
    public override async ValueTask ResizeAsync(int rows, int cols, CancellationToken cancellationToken = default)
    {
        await _resize(rows, cols, cancellationToken).ConfigureAwait(false);
        Resized(rows, cols);
    }

    /// <summary>Records a size set through the provider.</summary>
    internal void Resized(int rows, int cols)
    {
        Volatile.Write(ref _rows, rows);
        Volatile.Write(ref _cols, cols);
    }

    /// <inheritdoc />
    public override Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _exit.Task.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public override async ValueTask KillAsync(CancellationToken cancellationToken = default) => await _kill(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_exit.Task.IsCompleted)
        {
            try
            {
                // Closing the terminal ends its program, as closing a terminal window hangs up its shell.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _kill(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is SandboxException or OperationCanceledException)
            {
                // Gone already.
            }
        }

        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            // The daemon may have closed first.
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
        _send.Dispose();
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[16 * 1024];
        var text = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    Closed(_socket.CloseStatus, _socket.CloseStatusDescription);
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Binary)
                {
                    _output.Writer.TryWrite(buffer.AsSpan(0, received.Count).ToArray());
                    continue;
                }

                text.Write(buffer, 0, received.Count);
                if (received.EndOfMessage || text.Length > PtyControlMessage.MaxLength)
                {
                    // A text frame longer than any control message is output: passed on in parts, never held whole.
                    OnText(text.ToArray());
                    text.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Closed(null, null);
        }
    }

    /// <summary>A text frame: a control message when it parses as one, otherwise terminal output.</summary>
    private void OnText(byte[] frame)
    {
        if (PtyControlMessage.Parse(frame) is not { } control)
        {
            _output.Writer.TryWrite(frame);
            return;
        }

        switch (control.Status)
        {
            case "connected":
                _connected.TrySetResult();
                break;
            case "exited":
                _connected.TrySetResult();
                _exit.TrySetResult(control.ExitCode ?? -1);
                break;
            case "error":
                _connected.TrySetException(new ProviderException(DaytonaProvider.ProviderId,
                    $"PTY session {SessionId} refused the connection: {control.Error ?? "unknown error"}."));
                break;
        }
    }

    /// <summary>The end of the connection: the exit comes from the close reason's JSON when no control message gave it.</summary>
    private void Closed(WebSocketCloseStatus? status, string? reason)
    {
        if (PtyControlMessage.ExitCodeOfCloseReason(reason) is { } code)
        {
            _exit.TrySetResult(code);
        }

        if (status == WebSocketCloseStatus.NormalClosure)
        {
            _exit.TrySetResult(0);
        }

        _connected.TrySetException(new ProviderException(DaytonaProvider.ProviderId,
            $"PTY session {SessionId} closed before it was attached{(string.IsNullOrEmpty(reason) ? "." : ": " + reason)}"));
        _exit.TrySetResult(-1);
        _output.Writer.TryComplete();
    }
}
