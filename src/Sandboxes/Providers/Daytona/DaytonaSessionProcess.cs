using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// A program run by a toolbox session command under <see cref="SessionFrame"/>, as the kit sees a process: its log is
/// followed over the toolbox WebSocket from the start (a dropped connection is resumed, the bytes already seen are
/// skipped), split into stdout and stderr, and each base64 line decoded back into the program's exact bytes; the exit
/// status is the session command's; stdin goes as base64 input lines. Disposing deletes the session.
/// </summary>
/// <remarks>
/// Input reaches the program only through the daemon's input pipe, which exists once the session's shell runs the
/// command: nothing is sent before the frame says it reads (<see cref="SessionFrame.ReadyLine"/>), and a process launched
/// without stdin is sent nothing at all. A daemon holds an input request whose command has ended before it noticed, so
/// every request is given up once the command's end is known.
/// </remarks>
internal sealed class DaytonaSessionProcess : RemoteProcess
{
    // How long after the log closes the session command may take to report its exit code before the log is followed again.
    private static readonly TimeSpan ExitReportWait = TimeSpan.FromSeconds(2);

    // How long a frame may take to start reading its input, and how long the line closing it may take to be taken.
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CloseLimit = TimeSpan.FromSeconds(30);

    // The most a stdin write sends in one input line.
    private const int InputChunk = 48 * 1024;

    private readonly DaytonaSessionLink _link;
    private readonly Channel<OutputChunk> _output = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _stdin;

    // True once the frame reads its input; false when the command ended (or could no longer be followed) before.
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Cancelled once the command has ended: input still on its way is given up.
    private readonly CancellationTokenSource _ended = new();
    private readonly Task _pump;
    private int? _exitCode;
    private bool _stdinClosed;

    /// <summary>Follows a started session command.</summary>
    /// <param name="link">The toolbox calls about the command.</param>
    /// <param name="stdin">True when the frame reads input (<see cref="ProcessLaunch.Stdin"/>).</param>
    public DaytonaSessionProcess(DaytonaSessionLink link, bool stdin)
    {
        _link = link;
        _stdin = stdin;
        _pump = PumpAsync();
    }

    public override async ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _output.Reader.TryRead(out var chunk))
        {
            return chunk;
        }

        // The pump ended: rethrow what ended it, if anything did.
        await _pump.ConfigureAwait(false);
        return null;
    }

    public override async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _pump.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _exitCode ?? -1;
    }

    public override async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_stdin)
        {
            throw new InvalidOperationException("The process was launched without stdin.");
        }

        for (var offset = 0; offset < data.Length; offset += InputChunk)
        {
            var part = data.Span.Slice(offset, Math.Min(InputChunk, data.Length - offset));
            await SendAsync(SessionFrame.EncodeInput(part), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask CloseStdinAsync(CancellationToken cancellationToken)
    {
        if (!_stdin || _stdinClosed)
        {
            return;
        }

        _stdinClosed = true;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(CloseLimit);
        try
        {
            await SendAsync(SessionFrame.CloseInputLine, limit.Token).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The command has ended, so its stdin is closed already.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException(DaytonaProvider.ProviderId,
                $"The toolbox did not take the line closing a session command's input within {CloseLimit.TotalSeconds:0} s.");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException or WebSocketException)
        {
        }

        await _link.EndAsync().ConfigureAwait(false);
        _stop.Dispose();
        _ended.Dispose();
    }

    /// <summary>Sends one input line once the frame reads its input.</summary>
    /// <exception cref="IOException">The command has ended.</exception>
    private async Task SendAsync(string line, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        try
        {
            bool ready;
            try
            {
                ready = await _ready.Task.WaitAsync(ReadyLimit, linked.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ProviderException(DaytonaProvider.ProviderId,
                    $"A session command did not start reading its input within {ReadyLimit.TotalSeconds:0} s.");
            }

            if (!ready)
            {
                throw Ended();
            }

            await _link.SendInputAsync(line, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Ended();
        }
        catch (ProviderException error) when (error.StatusCode == 410)
        {
            throw Ended();
        }
    }

    private static IOException Ended() => new("The session command has ended; it reads no more input.");

    private async Task PumpAsync()
    {
        await Task.Yield();
        try
        {
            _exitCode = await FollowAsync(_stop.Token).ConfigureAwait(false);
            _output.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _output.Writer.TryComplete(e is OperationCanceledException && _stop.IsCancellationRequested ? null : e);
            if (!(e is OperationCanceledException && _stop.IsCancellationRequested))
            {
                throw;
            }
        }
        finally
        {
            await EndInputAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Follows the log to the command's end; returns its exit code.</summary>
    private async Task<int> FollowAsync(CancellationToken cancellationToken)
    {
        var demuxer = new SessionLogDemuxer();
        var lines = new[] { new Base64Lines(() => _ready.TrySetResult(true)), new Base64Lines(null) };
        long seen = 0;
        var buffer = new byte[64 * 1024];
        var quietReconnects = 0;
        for (var attempt = 0; ; attempt++)
        {
            var seenBefore = seen;
            var connectedAt = Stopwatch.GetTimestamp();
            using (var socket = await _link.OpenLogAsync(cancellationToken).ConfigureAwait(false))
            {
                long position = 0;
                while (true)
                {
                    WebSocketReceiveResult received;
                    try
                    {
                        received = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }
                    catch (WebSocketException)
                    {
                        break;
                    }

                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    // Skip what an earlier connection already delivered.
                    var skip = (int)Math.Clamp(seen - position, 0, received.Count);
                    position += received.Count;
                    if (skip < received.Count)
                    {
                        seen += received.Count - skip;
                        var decoded = new List<OutputChunk>();
                        demuxer.Feed(buffer.AsSpan(skip, received.Count - skip),
                            (stream, data) => lines[stream - 1].Feed(data, bytes => decoded.Add(new OutputChunk(stream == 2, bytes))));
                        foreach (var chunk in decoded)
                        {
                            await _output.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }

            // The log closed: the command ended, or the connection dropped.
            if (await WaitForExitCodeAsync(cancellationToken).ConfigureAwait(false) is { } exitCode)
            {
                await EndInputAsync().ConfigureAwait(false);
                var rest = new List<OutputChunk>();
                demuxer.Flush((stream, data) => lines[stream - 1].Feed(data, bytes => rest.Add(new OutputChunk(stream == 2, bytes))));
                for (var stream = 0; stream < 2; stream++)
                {
                    lines[stream].Flush(bytes => rest.Add(new OutputChunk(stream == 1, bytes)));
                }

                foreach (var chunk in rest)
                {
                    await _output.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                }

                return exitCode;
            }

            // A connection that keeps closing at once without delivering anything is a broken stream. A silent command
            // whose connection lived a while (cut by an idle timeout on the way) is only slow, and is followed on.
            var quickAndEmpty = seen == seenBefore && Stopwatch.GetElapsedTime(connectedAt) < TimeSpan.FromSeconds(2);
            quietReconnects = quickAndEmpty ? quietReconnects + 1 : 0;
            if (quietReconnects > 10)
            {
                throw new ProviderException(DaytonaProvider.ProviderId, "A session command's log keeps closing without output; the toolbox's log stream is broken.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Min(10, attempt + 1)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more input can be delivered: writers waiting to start are told so, requests on their way are given up.</summary>
    private async Task EndInputAsync()
    {
        _ready.TrySetResult(false);
        if (!_ended.IsCancellationRequested)
        {
            await _ended.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<int?> WaitForExitCodeAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (await _link.ExitCodeAsync(cancellationToken).ConfigureAwait(false) is { } code)
            {
                return code;
            }

            if (Stopwatch.GetElapsedTime(started) > ExitReportWait)
            {
                return null;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Collects one stream's log bytes into lines and decodes each as base64; the frame's ready line is told apart.</summary>
    private sealed class Base64Lines(Action? onReady)
    {
        private readonly List<byte> _line = [];

        public void Feed(ReadOnlySpan<byte> data, Action<byte[]> onBytes)
        {
            foreach (var b in data)
            {
                if (b == (byte)'\n')
                {
                    Flush(onBytes);
                }
                else
                {
                    _line.Add(b);
                }
            }
        }

        public void Flush(Action<byte[]> onBytes)
        {
            if (_line.Count == 0)
            {
                return;
            }

            var text = System.Text.Encoding.ASCII.GetString([.. _line]).Trim();
            _line.Clear();
            if (text == SessionFrame.ReadyLine && onReady is not null)
            {
                onReady();
                return;
            }

            try
            {
                if (text.Length > 0)
                {
                    onBytes(Convert.FromBase64String(text));
                }
            }
            catch (FormatException)
            {
                throw new ProviderException(DaytonaProvider.ProviderId, "A session command's log holds a line that is not the frame's base64.");
            }
        }
    }
}
