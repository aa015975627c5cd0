using Google.Protobuf;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Process;
using Sandboxes.Remote;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// A process started through envd's process.Start stream, as the kit sees a process: data events become output chunks,
/// the end event its exit status, stdin goes through SendInput and CloseStdin by pid. A read that is cancelled leaves the
/// stream where it was, so that the kit can go on reading after killing a command at its timeout.
/// </summary>
internal sealed class EnvdProcess : RemoteProcess
{
    private readonly EnvdConnection _connection;
    private readonly IAsyncEnumerator<ProcessEvent> _events;
    private readonly CancellationTokenSource _stream;
    private readonly Func<SandboxException, CancellationToken, Task<SandboxException>> _explain;
    private readonly bool _stdin;
    private Task<bool>? _next;
    private int? _exitCode;
    private bool _stdinClosed;

    /// <param name="connection">The sandbox's envd.</param>
    /// <param name="pid">The process's pid, from the stream's start event.</param>
    /// <param name="events">The rest of the stream.</param>
    /// <param name="stream">Cancels the stream; disposed with the process.</param>
    /// <param name="stdin">True when the process was started with its stdin open.</param>
    /// <param name="explain">Refines an envd error (an unreachable envd: a sandbox killed or paused).</param>
    public EnvdProcess(EnvdConnection connection, int pid, IAsyncEnumerator<ProcessEvent> events, CancellationTokenSource stream, bool stdin,
        Func<SandboxException, CancellationToken, Task<SandboxException>> explain)
    {
        _connection = connection;
        Pid = pid;
        _events = events;
        _stream = stream;
        _stdin = stdin;
        _explain = explain;
    }

    /// <summary>The process's pid.</summary>
    public int Pid { get; }

    public override async ValueTask<OutputChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        while (_exitCode is null)
        {
            _next ??= _events.MoveNextAsync().AsTask();
            bool moved;
            try
            {
                moved = await _next.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException error) when (!cancellationToken.IsCancellationRequested)
            {
                throw await _explain(error, cancellationToken).ConfigureAwait(false);
            }

            _next = null;
            if (!moved)
            {
                throw new ProviderException(E2BProvider.ProviderId, "envd's stream ended without the process's end.");
            }

            var e = _events.Current;
            switch (e.EventCase)
            {
                case ProcessEvent.EventOneofCase.Data when e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout:
                    return new OutputChunk(false, e.Data.Stdout.Memory);
                case ProcessEvent.EventOneofCase.Data when e.Data.OutputCase == ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr:
                    return new OutputChunk(true, e.Data.Stderr.Memory);
                case ProcessEvent.EventOneofCase.End:
                    _exitCode = ProcessEnd.From(e.End).ExitCode;
                    // Read on to the end of the stream, so that its connection is reused.
                    await EnvdConnection.FinishAsync(_events).ConfigureAwait(false);
                    break;
            }
        }

        return null;
    }

    public override Task<int> WaitForExitAsync(CancellationToken cancellationToken) =>
        _exitCode is { } code
            ? Task.FromResult(code)
            : Task.FromException<int>(new InvalidOperationException("The process's output has not ended yet."));

    public override async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        await _connection.SendInputAsync(EnvdConnection.ByPid(Pid), new ProcessInput { Stdin = ByteString.CopyFrom(data.Span) }, cancellationToken)
            .ConfigureAwait(false);

    public override async ValueTask CloseStdinAsync(CancellationToken cancellationToken)
    {
        if (!_stdin || _stdinClosed)
        {
            return;
        }

        _stdinClosed = true;
        await _connection.CloseStdinAsync(EnvdConnection.ByPid(Pid), cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        // envd keeps a process and its stdin when the stream closes: a process still reading its stdin is told it ended.
        if (_stdin && !_stdinClosed && _exitCode is null)
        {
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await CloseStdinAsync(limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SandboxException or OperationCanceledException)
            {
                // Best effort: the process may be gone.
            }
        }

        await _stream.CancelAsync().ConfigureAwait(false);
        if (_next is not null)
        {
            try
            {
                await _next.ConfigureAwait(false);
            }
            catch (Exception e) when (e is SandboxException or OperationCanceledException)
            {
            }
        }

        await _events.DisposeAsync().ConfigureAwait(false);
        _stream.Dispose();
    }
}
