using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// A terminal of the server's terminals API over its WebSocket (<c>["stdin", text]</c>, <c>["stdout", text]</c>,
/// <c>["set_size", rows, cols, ...]</c>). The terminal's shell is given one line that moves to the working directory,
/// exports the environment, runs the program (a shell, or the requested command) and reports its exit status in an
/// escape sequence only this session reads; what the terminal printed before the program started is not shown.
/// </summary>
internal sealed class JupyterTerminalSession : PtySession
{
    /// <summary>The largest message taken from the server; a larger one ends the session rather than grow without bound.</summary>
    internal const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly Func<Task> _delete;
    private readonly Channel<byte[]> _output = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly Decoder _input = Encoding.UTF8.GetDecoder();
    private readonly TerminalOutputFilter _filter = new();
    private readonly Task _receive;
    private ReadOnlyMemory<byte> _unread;
    private bool _killed;
    private PtyInfo _info;

    private JupyterTerminalSession(string name, ClientWebSocket socket, int rows, int cols, Func<Task> delete)
    {
        Name = name;
        _socket = socket;
        _delete = delete;
        Pid = int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : name.GetHashCode(StringComparison.Ordinal) & 0x7FFFFFFF;
        _info = new PtyInfo(Pid, rows, cols);
        _receive = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The terminal's name on the server.</summary>
    public string Name { get; }

    /// <summary>The terminal's number (its name) stands for the pid: the API does not expose the program's pid.</summary>
    public override int Pid { get; }

    public override PtyInfo Info => _info;

    /// <summary>Connects to a terminal just created and starts the program on it.</summary>
    public static async Task<JupyterTerminalSession> OpenAsync(JupyterEndpoint endpoint, string name, CreatePtyRequest request, string? cwd,
        Func<Task> delete, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        endpoint.Authorize(socket.Options);
        try
        {
            await socket.ConnectAsync(endpoint.WebSocketUri("terminals/websocket/" + Uri.EscapeDataString(name)), cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException error)
        {
            socket.Dispose();
            throw new ProviderException(JupyterProvider.ProviderId, $"Could not open terminal {name}: {error.Message}", innerException: error);
        }

        var session = new JupyterTerminalSession(name, socket, request.Rows, request.Cols, delete);
        await session.ResizeAsync(request.Rows, request.Cols, cancellationToken).ConfigureAwait(false);
        await session.SendAsync("stdin", Bootstrap(request, cwd), cancellationToken).ConfigureAwait(false);
        return session;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_unread.IsEmpty)
        {
            if (!await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_output.Reader.TryRead(out var chunk))
            {
                return 0;
            }

            _unread = chunk;
        }

        var n = Math.Min(buffer.Length, _unread.Length);
        _unread[..n].CopyTo(buffer);
        _unread = _unread[n..];
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var chars = new char[Encoding.UTF8.GetMaxCharCount(data.Length)];
        int count;
        lock (_input)
        {
            count = _input.GetChars(data.Span, chars, flush: false);
        }

        if (count > 0)
        {
            await SendAsync("stdin", new string(chars, 0, count), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask ResizeAsync(int rows, int cols, CancellationToken cancellationToken = default)
    {
        await SendRawAsync(w =>
        {
            w.WriteStringValue("set_size");
            w.WriteNumberValue(rows);
            w.WriteNumberValue(cols);
            w.WriteNumberValue(rows * 16);
            w.WriteNumberValue(cols * 8);
        }, cancellationToken).ConfigureAwait(false);
        _info = new PtyInfo(Pid, rows, cols);
    }

    public override Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _exit.Task.WaitAsync(cancellationToken);

    public override async ValueTask KillAsync(CancellationToken cancellationToken = default)
    {
        _killed = true;
        await _delete().ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_exit.Task.IsCompleted)
        {
            await KillAsync(CancellationToken.None).ConfigureAwait(false);
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
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _receive.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
        _send.Dispose();
    }

    /// <summary>The line typed into the terminal's shell: directory, environment, program, exit status, then leave.</summary>
    private static string Bootstrap(CreatePtyRequest request, string? cwd)
    {
        var line = new StringBuilder(" stty -echo 2>/dev/null; ");
        if (cwd is not null)
        {
            line.Append("cd ").Append(ShellQuote.Quote(cwd)).Append(" || exit 1; ");
        }

        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            if (!ShellQuote.IsVariableName(key))
            {
                throw new BadConfigException(JupyterProvider.ProviderId, $"'{key}' is not a valid environment variable name.");
            }

            line.Append("export ").Append(key).Append('=').Append(ShellQuote.Quote(value)).Append("; ");
        }

        line.Append("stty echo 2>/dev/null; printf '\\033]7779;ready\\007'; ");
        line.Append(request.Command is { } command ? "/bin/sh -c " + ShellQuote.Quote(command) : "\"${SHELL:-/bin/sh}\"");
        line.Append("; printf '\\033]7779;exit=%d\\007' \"$?\"; exit\n");
        return line.ToString();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.GetMemory(16 * 1024), CancellationToken.None).ConfigureAwait(false);
                    buffer.Advance(result.Count);
                    if (buffer.WrittenCount > MaxMessageBytes)
                    {
                        throw new InvalidDataException($"The terminal sent a message over {MaxMessageBytes} bytes.");
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close || !Handle(buffer.WrittenMemory))
                {
                    break;
                }
            }
        }
        catch (Exception error) when (error is WebSocketException or IOException or OperationCanceledException or InvalidDataException)
        {
        }
        finally
        {
            _filter.Flush(Deliver);
            _output.Writer.TryComplete();
            _exit.TrySetResult(_filter.ExitCode ?? (_killed ? 128 + 9 : 0));
        }
    }

    /// <summary>Handles one message; false once the terminal is gone.</summary>
    private bool Handle(ReadOnlyMemory<byte> message)
    {
        switch (TerminalMessage.Parse(message))
        {
            case { Kind: "stdout", Text: { } text }:
                _filter.Feed(text, Deliver);
                return true;
            case { Kind: "disconnect" }:
                return false;
            default:
                return true;
        }
    }

    private void Deliver(string text) => _output.Writer.TryWrite(Encoding.UTF8.GetBytes(text));

    private Task SendAsync(string kind, string text, CancellationToken cancellationToken) =>
        SendRawAsync(w =>
        {
            w.WriteStringValue(kind);
            w.WriteStringValue(text);
        }, cancellationToken);

    private async Task SendRawAsync(Action<Utf8JsonWriter> items, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            items(writer);
            writer.WriteEndArray();
        }

        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException error)
        {
            throw new SandboxStateException(JupyterProvider.ProviderId, string.Empty, SandboxStatus.Stopped,
                $"Terminal {Name} is closed: {error.Message}");
        }
        finally
        {
            _send.Release();
        }
    }
}
