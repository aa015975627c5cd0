using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// A WebSocket to one kernel's channels (<c>/api/kernels/ID/channels</c>): sends requests, and hands each request
/// the replies and IOPub messages whose parent it is, and hands a listener the IOPub messages sent under its id (the
/// agent's output of launched processes). Other messages, caused by other clients of the same kernel, are ignored.
/// One connection serves many concurrent requests; the kernel runs them in order.
/// </summary>
internal sealed class KernelConnection : IAsyncDisposable
{
    /// <summary>The largest message taken from the kernel; a larger one closes the connection rather than grow without bound.</summary>
    internal const int MaxMessageBytes = 64 * 1024 * 1024;

    private readonly WebSocket _socket;
    private readonly string _session = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly ConcurrentDictionary<string, Channel<KernelMessage>> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Action<KernelMessage?, SandboxException?>> _listeners = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _receive = Task.CompletedTask;

    private KernelConnection(string kernelId, WebSocket socket)
    {
        KernelId = kernelId;
        _socket = socket;
    }

    /// <summary>The kernel.</summary>
    public string KernelId { get; }

    /// <summary>True while the socket is usable.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open && !_receive.IsCompleted;

    /// <summary>Opens the WebSocket to a kernel.</summary>
    /// <exception cref="NotFoundException">The server has no such kernel.</exception>
    public static async Task<KernelConnection> ConnectAsync(JupyterEndpoint endpoint, string kernelId, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        endpoint.Authorize(socket.Options);
        var connection = new KernelConnection(kernelId, socket);
        try
        {
            await socket.ConnectAsync(endpoint.WebSocketUri($"api/kernels/{Uri.EscapeDataString(kernelId)}/channels?session_id={connection._session}"),
                cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException error)
        {
            socket.Dispose();
            throw socket.HttpStatusCode switch
            {
                HttpStatusCode.NotFound => new NotFoundException(JupyterProvider.ProviderId, $"The Jupyter server has no kernel '{kernelId}'."),
                HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized =>
                    new UnauthorizedException(JupyterProvider.ProviderId, "The Jupyter server refused the token.", error),
                _ => new ProviderException(JupyterProvider.ProviderId, $"Could not open the kernel's WebSocket: {error.Message}", innerException: error),
            };
        }

        connection._receive = Task.Run(connection.ReceiveLoopAsync);
        return connection;
    }

    /// <summary>A connection over a WebSocket already open (the receive loop starts at once); for tests of the framing.</summary>
    internal static KernelConnection Over(string kernelId, WebSocket socket)
    {
        var connection = new KernelConnection(kernelId, socket);
        connection._receive = Task.Run(connection.ReceiveLoopAsync);
        return connection;
    }

    /// <summary>
    /// Sends a request and returns its reply once the kernel has also gone idle for it (so every output it caused has
    /// been passed to <paramref name="onIopub"/>).
    /// </summary>
    /// <exception cref="ProviderException">The connection closed or the kernel died before the reply.</exception>
    public Task<KernelMessage> RequestAsync(string channel, string type, Action<Utf8JsonWriter> content,
        Action<KernelMessage>? onIopub, CancellationToken cancellationToken) =>
        RequestAsync(channel, type, content, onIopub, waitForIdle: channel == "shell", cancellationToken);

    private async Task<KernelMessage> RequestAsync(string channel, string type, Action<Utf8JsonWriter> content,
        Action<KernelMessage>? onIopub, bool waitForIdle, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var inbox = Channel.CreateUnbounded<KernelMessage>(new UnboundedChannelOptions { SingleReader = true });
        _pending[id] = inbox;
        try
        {
            if (_receive.IsCompleted)
            {
                // The receive loop has ended and completed the inboxes it knew: nothing would ever complete this one.
                throw new ProviderException(JupyterProvider.ProviderId, "The connection to the kernel is closed.");
            }

            var bytes = KernelMessage.Request(channel, type, id, _session, content);
            await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException error)
            {
                throw new ProviderException(JupyterProvider.ProviderId, $"The connection to the kernel is closed: {error.Message}", innerException: error);
            }
            finally
            {
                _send.Release();
            }

            KernelMessage? reply = null;
            var idle = !waitForIdle; // control requests cause no busy/idle pair worth waiting for
            while (reply is null || !idle)
            {
                var message = await KernelChannel.ReadAsync(inbox.Reader, "The connection to the kernel closed.", cancellationToken).ConfigureAwait(false);

                if (message.Channel == "iopub")
                {
                    if (message.Type == "status")
                    {
                        idle |= message.String("execution_state") == "idle";
                    }
                    else
                    {
                        onIopub?.Invoke(message);
                    }
                }
                else if (message.Type.EndsWith("_reply", StringComparison.Ordinal))
                {
                    reply = message;
                }
            }

            return reply;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Hands <paramref name="listener"/> every IOPub message whose parent id is <paramref name="parentId"/>, as it
    /// arrives on the receive loop (so it must not block), and then null with the reason once the connection ends.
    /// </summary>
    public void Listen(string parentId, Action<KernelMessage?, SandboxException?> listener)
    {
        _listeners[parentId] = listener;
        if (_receive.IsCompleted)
        {
            _listeners.TryRemove(parentId, out _);
            listener(null, new ProviderException(JupyterProvider.ProviderId, "The connection to the kernel is closed."));
        }
    }

    /// <summary>Runs code; IOPub output (streams, results, display data, errors) goes to <paramref name="onIopub"/>.</summary>
    public Task<KernelMessage> ExecuteAsync(string code, Action<KernelMessage>? onIopub, bool storeHistory, CancellationToken cancellationToken) =>
        RequestAsync("shell", "execute_request", w =>
        {
            w.WriteString("code", code);
            w.WriteBoolean("silent", false);
            w.WriteBoolean("store_history", storeHistory);
            w.WriteStartObject("user_expressions");
            w.WriteEndObject();
            w.WriteBoolean("allow_stdin", false);
            // Requests of other callers queued behind a failing one must still run.
            w.WriteBoolean("stop_on_error", false);
        }, onIopub, cancellationToken);

    /// <summary>Asks the kernel to describe itself; answered once it is ready to run code.</summary>
    /// <remarks>
    /// A kernel that is still starting (after a restart, say) can drop a request that arrives before its sockets are
    /// bound, and its IOPub status for the request can be published before this connection subscribes, so, like
    /// jupyter_client's wait_for_ready, the request is repeated until a reply comes and idle is not waited for.
    /// </remarks>
    public async Task<KernelMessage> KernelInfoAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(KernelInfoRetryInterval);
            try
            {
                return await RequestAsync("shell", "kernel_info_request", _ => { }, null, waitForIdle: false, attempt.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static readonly TimeSpan KernelInfoRetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>Interrupts what the kernel runs, through the control channel (ipykernel signals its process group).</summary>
    public Task<KernelMessage> InterruptAsync(CancellationToken cancellationToken) =>
        RequestAsync("control", "interrupt_request", _ => { }, null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
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
        }

        try
        {
            await _receive.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
        _send.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        Exception? failure = null;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.GetMemory(64 * 1024), _stop.Token).ConfigureAwait(false);
                    buffer.Advance(result.Count);
                    if (buffer.WrittenCount > MaxMessageBytes)
                    {
                        throw new InvalidDataException($"The kernel sent a message over {MaxMessageBytes} bytes.");
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (KernelMessage.Parse(buffer.WrittenMemory) is { } message)
                {
                    Dispatch(message);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception error) when (error is WebSocketException or IOException or InvalidDataException)
        {
            failure = error;
        }
        finally
        {
            var closed = new ProviderException(JupyterProvider.ProviderId,
                failure is InvalidDataException ? $"The connection to the kernel was closed: {failure.Message}" : "The connection to the kernel closed.",
                innerException: failure);
            foreach (var inbox in _pending.Values)
            {
                inbox.Writer.TryComplete(closed);
            }

            EndListeners(closed);
        }
    }

    private void EndListeners(SandboxException reason)
    {
        foreach (var id in _listeners.Keys.ToList())
        {
            if (_listeners.TryRemove(id, out var listener))
            {
                listener(null, reason);
            }
        }
    }

    private void Dispatch(KernelMessage message)
    {
        if (message.ParentId is { Length: > 0 } parent && _pending.TryGetValue(parent, out var inbox))
        {
            inbox.Writer.TryWrite(message);
            return;
        }

        if (message is { Channel: "iopub", ParentId: { Length: > 0 } listened } && _listeners.TryGetValue(listened, out var listener))
        {
            listener(message, null);
            return;
        }

        if (message is { Channel: "iopub", Type: "status" } && message.String("execution_state") is "dead" or "restarting")
        {
            // The kernel died or is being restarted: what was asked of it will never be answered.
            var gone = new ProviderException(JupyterProvider.ProviderId,
                $"The kernel {KernelId} {(message.String("execution_state") == "dead" ? "died" : "restarted")} while it was running the request.");
            foreach (var pending in _pending.Values)
            {
                pending.Writer.TryComplete(gone);
            }

            EndListeners(gone);
        }
    }
}
