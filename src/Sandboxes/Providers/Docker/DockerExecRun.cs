using System.Globalization;
using System.Text;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Reads one started, non-TTY exec: splits its multiplexed output into stdout and stderr events (UTF-8 decoded, split
/// characters kept whole), feeds its stdin, enforces its timeout by killing its process tree, and ends with its exit.
/// Disposing it before the end kills the process tree, so an abandoned stream leaves nothing running.
/// </summary>
internal sealed class DockerExecRun : IAsyncDisposable
{
    private static readonly TimeSpan DrainAfterKill = TimeSpan.FromSeconds(5);
    private readonly HijackedConnection _connection;
    private readonly MultiplexedStreamReader _reader;
    private readonly Func<CancellationToken, Task<int>> _waitForExit;
    private readonly Func<string, Task>? _killTree;
    private readonly Func<int, bool, CancellationToken, Task<string?>> _describeExit;
    private readonly TimeSpan? _timeout;
    private readonly CancellationTokenSource _deadline = new();
    private readonly ExecOutput _output;
    private readonly TrailingMarkerFilter? _oomFilter;
    private readonly Queue<CommandEvent> _queued = new();
    private readonly Task _stdinWriter;
    private readonly bool _flushAtEnd;
    private bool _ended;
    private bool _finished;

    /// <param name="connection">The exec's taken-over connection.</param>
    /// <param name="stdin">Text for stdin, which is then closed; null when stdin was not attached.</param>
    /// <param name="timeout">Kill the process tree after this long; null for no limit.</param>
    /// <param name="oomMarker">The marker the run script writes last on stderr after an out-of-memory kill; null for none.</param>
    /// <param name="waitForExit">Reads the exit code once the output has ended.</param>
    /// <param name="killTree">Sends a signal (KILL, HUP...) to the exec's whole process tree; null when it cannot be killed.</param>
    /// <param name="describeExit">Says why the command ended abnormally (exit code, out of memory), or null.</param>
    /// <param name="output">
    /// Output shared with other execs of the same command (a follower replacing one that died): decoders are then not
    /// flushed when this exec ends, the owner flushes them at the very end. Null for a run of its own.
    /// </param>
    public DockerExecRun(HijackedConnection connection, string? stdin, TimeSpan? timeout, byte[]? oomMarker,
        Func<CancellationToken, Task<int>> waitForExit, Func<string, Task>? killTree, Func<int, bool, CancellationToken, Task<string?>> describeExit,
        ExecOutput? output = null)
    {
        _flushAtEnd = output is null;
        _output = output ?? new ExecOutput();
        _connection = connection;
        _reader = new MultiplexedStreamReader(connection);
        _timeout = timeout;
        _oomFilter = oomMarker is null ? null : new TrailingMarkerFilter(oomMarker);
        _waitForExit = waitForExit;
        _killTree = killTree;
        _describeExit = describeExit;
        Started = DateTimeOffset.UtcNow;
        if (timeout is { } limit)
        {
            _deadline.CancelAfter(limit);
        }

        _stdinWriter = stdin is null ? Task.CompletedTask : WriteStdinAsync(Encoding.UTF8.GetBytes(stdin));
    }

    /// <summary>When the run started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>What the command wrote so far.</summary>
    public ExecOutput Output => _output;

    /// <summary>Everything written to stdout so far.</summary>
    public StringBuilder Stdout => _output.Stdout;

    /// <summary>Everything written to stderr so far.</summary>
    public StringBuilder Stderr => _output.Stderr;

    /// <summary>True when the run script reported that the memory cgroup killed the command.</summary>
    public bool OutOfMemory => _oomFilter?.Found ?? false;

    /// <summary>The next event, or null after the exit event.</summary>
    /// <exception cref="SandboxTimeoutException">The command outlived its timeout; its process tree was killed.</exception>
    public async ValueTask<CommandEvent?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_queued.TryDequeue(out var queued))
            {
                return queued;
            }

            if (_finished)
            {
                return null;
            }

            if (_ended)
            {
                await FinishAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
            (bool Read, ExecStreamKind Kind, ReadOnlyMemory<byte> Payload) frame;
            try
            {
                frame = await _reader.ReadFrameAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw await TimedOutAsync().ConfigureAwait(false);
            }

            if (!frame.Read)
            {
                _ended = true;
                continue;
            }

            if (Accept(frame.Kind, frame.Payload.Span) is { } e)
            {
                return e;
            }
        }
    }

    /// <summary>Kills what is still running, then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_finished && !_ended && _killTree is not null)
        {
            try
            {
                await _killTree("KILL").ConfigureAwait(false);
            }
            catch (SandboxException)
            {
                // Best effort: the sandbox may be gone, which ends the command as well.
            }
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _stdinWriter.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        _deadline.Dispose();
    }

    private CommandEvent? Accept(ExecStreamKind kind, ReadOnlySpan<byte> payload)
    {
        if (kind == ExecStreamKind.Stderr)
        {
            var text = _output.AddStderr(_oomFilter is null ? payload : _oomFilter.Push(payload));
            return text.Length == 0 ? null : CommandEvent.Stderr(text);
        }

        var stdout = _output.AddStdout(payload);
        return stdout.Length == 0 ? null : CommandEvent.Stdout(stdout);
    }

    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        var held = _output.AddStderr(_oomFilter?.Flush() ?? []);
        var (stdout, rest) = _flushAtEnd ? _output.Flush() : (string.Empty, string.Empty);
        var stderr = held + rest;
        if (stdout.Length > 0)
        {
            _queued.Enqueue(CommandEvent.Stdout(stdout));
        }

        if (stderr.Length > 0)
        {
            _queued.Enqueue(CommandEvent.Stderr(stderr));
        }

        var exitCode = await _waitForExit(cancellationToken).ConfigureAwait(false);
        var oom = _oomFilter?.Found ?? false;
        _queued.Enqueue(CommandEvent.Exited(exitCode, await _describeExit(exitCode, oom, cancellationToken).ConfigureAwait(false)));
        _finished = true;
    }

    private async Task<SandboxTimeoutException> TimedOutAsync()
    {
        if (_killTree is not null)
        {
            await _killTree("KILL").ConfigureAwait(false);
        }

        // Keep what the command wrote before it died: read until the engine closes the stream (bounded).
        using var drain = new CancellationTokenSource(DrainAfterKill);
        try
        {
            while ((await _reader.ReadFrameAsync(drain.Token).ConfigureAwait(false)) is { Read: true } frame)
            {
                Accept(frame.Kind, frame.Payload.Span);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ProviderException or IOException)
        {
        }

        _ended = true;
        _finished = true;
        _output.AddStderr(_oomFilter?.Flush() ?? []);
        _output.Flush();
        var seconds = _timeout!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return new SandboxTimeoutException(DockerProvider.ProviderId,
            $"The command did not finish within {seconds} s; it was killed with every process it started.",
            _timeout.Value, Stdout.ToString(), Stderr.ToString());
    }

    private async Task WriteStdinAsync(byte[] bytes)
    {
        try
        {
            if (bytes.Length > 0)
            {
                await _connection.WriteAsync(bytes).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process exited without reading all of its stdin.
        }
        finally
        {
            _connection.CloseWrite();
        }
    }
}
