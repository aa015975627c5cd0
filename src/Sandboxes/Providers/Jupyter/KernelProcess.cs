using System.Text.Json;
using System.Threading.Channels;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// A process the kernel's agent launched, as the kit sees a process: its output arrives in the agent's batches (see
/// <see cref="KernelAgent"/>), stdin goes through agent calls. The agent sends no more than a window of output this
/// client has not acknowledged; reading acknowledges it, so endless output waits in the sandbox's pipe, and a kernel
/// that sends far more than the window allows ends the process here rather than fill this client's memory.
/// </summary>
internal sealed class KernelProcess : RemoteProcess
{
    // The agent's window (WINDOW in kernel_agent.py); what is read is acknowledged once this much of it is unacknowledged.
    private const long Window = 1 << 20;
    private const long AckEvery = Window / 4;
    private const long FloodLimit = 3 * Window;
    private const int StdinPiece = 256 * 1024;
    private static readonly TimeSpan StdinFullPause = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ReleaseLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AckLimit = TimeSpan.FromSeconds(30);

    private readonly KernelAgent _agent;
    private readonly string _stream;
    private readonly Channel<Item> _items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private long _received;
    private long _read;
    private long _acknowledged;
    private Item? _current;
    private int? _exitCode;
    private int _disposed;

    /// <param name="agent">The agent of the sandbox's kernel.</param>
    /// <param name="stream">The id the agent sends the process's output under.</param>
    public KernelProcess(KernelAgent agent, string stream)
    {
        _agent = agent;
        _stream = stream;
    }

    public override async ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_current is { } current)
            {
                // The stderr half of an item is handed out after its stdout half.
                _current = null;
                if (current.Stderr.Length > 0)
                {
                    _read += current.Stderr.Length;
                    return new OutputChunk(true, current.Stderr);
                }
            }

            if (_exitCode is not null)
            {
                return null;
            }

            if (_read - _acknowledged >= AckEvery)
            {
                // Not cut short by the caller: an acknowledgement cancelled after it was sent would be counted twice.
                var count = _read - _acknowledged;
                using var limit = new CancellationTokenSource(AckLimit);
                await _agent.CallAsync("ack", w =>
                {
                    w.WriteString("stream", _stream);
                    w.WriteNumber("count", count);
                }, limit.Token).ConfigureAwait(false);
                Volatile.Write(ref _acknowledged, _acknowledged + count);
            }

            var item = await KernelChannel.ReadAsync(_items.Reader, "The kernel stopped sending the process's output.", cancellationToken).ConfigureAwait(false);

            if (item.ExitCode is { } code)
            {
                _exitCode = code;
            }

            _current = item;
            if (item.Stdout.Length > 0)
            {
                _read += item.Stdout.Length;
                return new OutputChunk(false, item.Stdout);
            }
        }
    }

    public override Task<int> WaitForExitAsync(CancellationToken cancellationToken) =>
        _exitCode is { } code && _current is null
            ? Task.FromResult(code)
            : Task.FromException<int>(new InvalidOperationException("The process's output has not ended yet."));

    public override async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < data.Length;)
        {
            var piece = data.Slice(offset, Math.Min(StdinPiece, data.Length - offset));
            JsonElement answer;
            try
            {
                answer = await _agent.CallAsync("write", w =>
                {
                    w.WriteString("stream", _stream);
                    w.WriteString("data", Convert.ToBase64String(piece.Span));
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxStateException refused)
            {
                throw new IOException(refused.Message, refused);
            }

            if (answer.TryGetProperty("full", out _))
            {
                // The agent holds a bounded queue for the process's stdin: wait for the process to read some.
                await Task.Delay(StdinFullPause, cancellationToken).ConfigureAwait(false);
                continue;
            }

            offset += piece.Length;
        }
    }

    public override async ValueTask CloseStdinAsync(CancellationToken cancellationToken) =>
        await _agent.CallAsync("close", w => w.WriteString("stream", _stream), cancellationToken).ConfigureAwait(false);

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _agent.Forget(_stream);
        _items.Writer.TryComplete();
        if (_exitCode is not null && _current is null)
        {
            return; // the agent forgot it when it sent the exit
        }

        // The process runs on (a background command's wrapper, say): the agent stops keeping its output for this client.
        using var limit = new CancellationTokenSource(ReleaseLimit);
        try
        {
            await _agent.CallAsync("release", w => w.WriteString("stream", _stream), limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException)
        {
            // The kernel is gone or does not answer: so is the process's connection to this client.
        }
    }

    /// <summary>Takes one item of the agent's batch (on the connection's receive loop: it never blocks).</summary>
    internal void Deliver(JsonElement item)
    {
        byte[] stdout, stderr;
        try
        {
            stdout = Bytes(item, "out");
            stderr = Bytes(item, "err");
        }
        catch (FormatException)
        {
            Fail(new ProviderException(JupyterProvider.ProviderId, "The kernel sent output that is not base64."));
            return;
        }

        // The agent may overshoot its window by a read of each pipe, and sends a window more once an acknowledgement
        // reached it, before this client knows: anything beyond three windows was not asked for.
        _received += stdout.Length + stderr.Length;
        if (_received - Volatile.Read(ref _acknowledged) > FloodLimit)
        {
            Fail(new ProviderException(JupyterProvider.ProviderId, $"The kernel sent more than {FloodLimit} bytes of output that were not asked for."));
            return;
        }

        int? exit = item.TryGetProperty("exit", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var value) ? value : null;
        _items.Writer.TryWrite(new Item(stdout, stderr, exit));
        if (exit is not null)
        {
            _agent.Forget(_stream);
            _items.Writer.TryComplete();
        }
    }

    /// <summary>Ends the output with an error (the connection closed, the kernel died).</summary>
    internal void Fail(SandboxException reason)
    {
        _agent.Forget(_stream);
        _items.Writer.TryComplete(reason);
    }

    private static byte[] Bytes(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetBytesFromBase64() : [];

    /// <summary>One process's part of a batch.</summary>
    private sealed record Item(byte[] Stdout, byte[] Stderr, int? ExitCode);
}
