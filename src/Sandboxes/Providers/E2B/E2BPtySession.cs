using System.Threading.Channels;
using Google.Protobuf;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// A terminal on an envd process started with a PTY: its output is read from the process.Start stream as it comes,
/// input goes through SendInput, resizes through Update, and the end event gives the exit code.
/// </summary>
internal sealed class E2BPtySession : PtySession
{
    private readonly EnvdConnection _connection;
    private readonly IAsyncEnumerator<ProcessEvent> _events;
    private readonly CancellationTokenSource _stream;
    private readonly Channel<byte[]> _output = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<E2BPtySession> _closed;
    private readonly Task _pump;
    private ReadOnlyMemory<byte> _pending;
    private PtyInfo _info;
    private int _disposed;

    public E2BPtySession(EnvdConnection connection, int pid, int rows, int cols, IAsyncEnumerator<ProcessEvent> events, CancellationTokenSource stream,
        Action<E2BPtySession> closed)
    {
        _connection = connection;
        _events = events;
        _stream = stream;
        _closed = closed;
        _info = new PtyInfo(pid, rows, cols);
        _pump = PumpAsync();
    }

    public override int Pid => _info.Pid;

    public override PtyInfo Info => Volatile.Read(ref _info);

    /// <summary>Records a size set through the sandbox (not through this session).</summary>
    public void Resized(int rows, int cols) => Volatile.Write(ref _info, _info with { Rows = rows, Cols = cols });

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pending.IsEmpty)
        {
            if (!await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_output.Reader.TryRead(out var chunk))
            {
                return 0;
            }

            _pending = chunk;
        }

        var n = Math.Min(buffer.Length, _pending.Length);
        _pending[..n].CopyTo(buffer);
        _pending = _pending[n..];
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        await _connection.SendInputAsync(EnvdConnection.ByPid(Pid), new ProcessInput { Pty = ByteString.CopyFrom(data.Span) }, cancellationToken).ConfigureAwait(false);

    public override async ValueTask ResizeAsync(int rows, int cols, CancellationToken cancellationToken = default)
    {
        await _connection.UpdateAsync(EnvdConnection.ByPid(Pid), Size(rows, cols), cancellationToken).ConfigureAwait(false);
        Resized(rows, cols);
    }

    public override Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _exit.Task.WaitAsync(cancellationToken);

    public override async ValueTask KillAsync(CancellationToken cancellationToken = default)
    {
        if (_exit.Task.IsCompleted)
        {
            return;
        }

        try
        {
            await _connection.SendSignalAsync(EnvdConnection.ByPid(Pid), Signal.Sigkill, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // It ended meanwhile.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await KillAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException)
        {
            // The sandbox may be gone; the stream is closed below either way.
        }

        await _stream.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        _stream.Dispose();
        _closed(this);
    }

    /// <summary>A terminal size message.</summary>
    public static PTY Size(int rows, int cols) => new() { Size = new PTY.Types.Size { Rows = (uint)rows, Cols = (uint)cols } };

    private async Task PumpAsync()
    {
        var exitCode = -1;
        try
        {
            while (await _events.MoveNextAsync().ConfigureAwait(false))
            {
                var e = _events.Current;
                if (e.EventCase == ProcessEvent.EventOneofCase.Data && e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Pty)
                {
                    await _output.Writer.WriteAsync(e.Data.Pty.ToByteArray(), _stream.Token).ConfigureAwait(false);
                }
                else if (e.EventCase == ProcessEvent.EventOneofCase.End)
                {
                    // Not leaving the loop: the stream is read to its end, so that its connection is reused.
                    exitCode = ProcessEnd.From(e.End).ExitCode;
                }
            }
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException)
        {
            // The stream ended without an end event (closed here, or lost): the program's exit is unknown.
        }
        finally
        {
            await _events.DisposeAsync().ConfigureAwait(false);
            _output.Writer.TryComplete();
            _exit.TrySetResult(exitCode);
            if (Volatile.Read(ref _disposed) == 0)
            {
                _closed(this);
            }
        }
    }
}
