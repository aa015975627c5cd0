using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// A toolbox PTY session on a local-provider terminal: one program, any number of attached WebSocket clients that all
/// receive its output and may all type into it (as the daemon's multi-attach sessions). Output written while no client is
/// attached is lost, as on Daytona; a lazily started session therefore starts its program on the first attach.
/// </summary>
internal sealed class EmulatedPty
{
    private readonly Sandbox _sandbox;
    private readonly Action<string> _violation;
    private readonly ConcurrentDictionary<Guid, Client> _clients = new();
    private readonly SemaphoreSlim _start = new(1, 1);
    private PtySession? _local;
    private int? _exitCode;

    public EmulatedPty(Sandbox sandbox, Action<string> violation)
    {
        _sandbox = sandbox;
        _violation = violation;
    }

    public required string Id { get; init; }

    public required string Cwd { get; init; }

    public required IReadOnlyDictionary<string, string> Envs { get; init; }

    public bool LazyStart { get; init; }

    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

    public int Rows { get; private set; }

    public int Cols { get; private set; }

    /// <summary>True while its program runs (or has not started yet).</summary>
    public bool Active => _exitCode is null;

    public void Size(int rows, int cols)
    {
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Starts the program unless it runs already.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _start.WaitAsync(cancellationToken);
        try
        {
            if (_local is not null || _exitCode is not null)
            {
                return;
            }

            // An interactive shell, as Daytona's PTY sessions run. Without job control (+m): inside the local sandbox's pid
            // namespace dash cannot hand the terminal back, so with it its exec and exit fail ("Cannot set tty process group").
            _local = await _sandbox.CreatePtyAsync(new CreatePtyRequest { Rows = Rows, Cols = Cols, Cwd = Cwd, Env = Envs, Command = "exec /bin/sh +m -i" },
                cancellationToken);
            _ = Task.Run(PumpAsync, CancellationToken.None);
        }
        finally
        {
            _start.Release();
        }
    }

    /// <summary>Serves one WebSocket client until it leaves or the program exits.</summary>
    public async Task AttachAsync(WebSocket socket, bool wantsExitControl, CancellationToken cancellationToken)
    {
        var client = new Client(socket, wantsExitControl);
        if (_exitCode is { } ended)
        {
            await client.SendTextAsync(DaytonaPtyProtocol.Error("PTY session has exited"), _violation);
            await client.CloseAsync(ended, _violation);
            return;
        }

        try
        {
            await StartAsync(cancellationToken);
        }
        catch (SandboxException e)
        {
            // As the daemon reports a session it cannot start: an error control message, then the close.
            await client.SendTextAsync(DaytonaPtyProtocol.Error(e.Message), _violation);
            await client.CloseAsync(-1, _violation);
            return;
        }

        _clients[client.Id] = client;
        try
        {
            await client.SendTextAsync(DaytonaPtyProtocol.Connected(), _violation);
            var buffer = new byte[64 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (DaytonaPtyProtocol.CheckClientFrame(received.MessageType, buffer.AsSpan(0, received.Count)) is { } problem)
                {
                    _violation(problem);
                }

                if (_local is { } local && received.Count > 0)
                {
                    await local.WriteAsync(buffer.AsMemory(0, received.Count), cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            _clients.TryRemove(client.Id, out _);
            if (_exitCode is not null)
            {
                // The exit is being reported: the request must live until the close frame is out.
                await client.Done.Task.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    public async Task ResizeAsync(int rows, int cols, CancellationToken cancellationToken)
    {
        Size(rows, cols);
        if (_local is { } local)
        {
            await local.ResizeAsync(rows, cols, cancellationToken);
        }
    }

    /// <summary>Kills the program (its exit then reaches every client); a session not started yet just ends.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        if (_local is { } local)
        {
            await local.KillAsync(cancellationToken);
            await local.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        else
        {
            await EndAsync(137);
        }
    }

    private async Task PumpAsync()
    {
        var local = _local!;
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await local.ReadAsync(buffer)) > 0)
            {
                var chunk = buffer.AsMemory(0, n).ToArray();
                foreach (var client in _clients.Values)
                {
                    await client.SendBinaryAsync(chunk);
                }
            }
        }
        catch (Exception e) when (e is SandboxException or IOException or ObjectDisposedException)
        {
            // The terminal closed.
        }

        int code;
        try
        {
            code = await local.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or SandboxException)
        {
            code = -1;
        }

        await EndAsync(code);
        await local.DisposeAsync();
    }

    private async Task EndAsync(int code)
    {
        _exitCode = code;
        foreach (var client in _clients.Values)
        {
            if (client.WantsExitControl)
            {
                await client.SendTextAsync(DaytonaPtyProtocol.Exited(code), _violation);
            }

            await client.CloseAsync(code, _violation);
        }
    }

    /// <summary>One attached WebSocket; writes are serialised (a WebSocket takes one send at a time).</summary>
    private sealed class Client(WebSocket socket, bool wantsExitControl)
    {
        private readonly SemaphoreSlim _send = new(1, 1);

        public Guid Id { get; } = Guid.NewGuid();

        public bool WantsExitControl { get; } = wantsExitControl;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendBinaryAsync(byte[] data) => SendAsync(data, WebSocketMessageType.Binary);

        public Task SendTextAsync(string text, Action<string> violation)
        {
            if (DaytonaPtyProtocol.CheckServerControl(text) is { } problem)
            {
                violation("server: " + problem);
            }

            return SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);
        }

        public async Task CloseAsync(int exitCode, Action<string> violation)
        {
            var reason = DaytonaPtyProtocol.CloseReason(exitCode);
            if (DaytonaPtyProtocol.CheckCloseReason(reason) is { } problem)
            {
                violation("server: " + problem);
            }

            await _send.WaitAsync();
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await socket.CloseOutputAsync(DaytonaPtyProtocol.CloseStatus(exitCode), reason, timeout.Token);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Gone already.
            }
            finally
            {
                _send.Release();
                Done.TrySetResult();
            }
        }

        private async Task SendAsync(byte[] data, WebSocketMessageType type)
        {
            await _send.WaitAsync();
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await socket.SendAsync(data, type, endOfMessage: true, timeout.Token);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // A client that cannot keep up is dropped, as the daemon drops slow consumers.
            }
            finally
            {
                _send.Release();
            }
        }
    }
}
