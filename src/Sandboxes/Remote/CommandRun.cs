using System.Globalization;
using System.Text;

namespace Sandboxes.Remote;

/// <summary>
/// Reads one started process: turns its output into stdout and stderr events (UTF-8 decoded, split characters kept
/// whole), feeds its stdin, enforces its timeout by killing its process tree, and ends with its exit. Disposing it before
/// the end kills the process tree, so an abandoned stream leaves nothing running.
/// </summary>
internal sealed class CommandRun : IAsyncDisposable
{
    private static readonly TimeSpan DrainAfterKill = TimeSpan.FromSeconds(5);
    private readonly string _providerId;
    private readonly RemoteProcess _process;
    private readonly Func<string, Task>? _killTree;
    private readonly Func<int, bool, CancellationToken, Task<string?>> _describeExit;
    private readonly TimeSpan? _timeout;
    private readonly CancellationTokenSource _deadline = new();
    private readonly CommandOutput _output;
    private readonly TrailingMarkerFilter? _oomFilter;
    private readonly Queue<CommandEvent> _queued = new();
    private readonly Task _stdinWriter;
    private readonly bool _flushAtEnd;
    private bool _ended;
    private bool _finished;

    /// <param name="providerId">The provider, for errors.</param>
    /// <param name="process">The started process.</param>
    /// <param name="stdin">Text for stdin, which is then closed; null when stdin was not attached.</param>
    /// <param name="timeout">Kill the process tree after this long; null for no limit.</param>
    /// <param name="oomMarker">The marker the run script writes last on stderr after an out-of-memory kill; null for none.</param>
    /// <param name="killTree">Sends a signal (KILL, HUP...) to the process's whole tree; null when it cannot be killed.</param>
    /// <param name="describeExit">Says why the command ended abnormally (exit code, out of memory), or null.</param>
    /// <param name="output">
    /// Output shared with other processes of the same command (a follower replacing one that died): decoders are then not
    /// flushed when this process ends, the owner flushes them at the very end. Null for a run of its own.
    /// </param>
    public CommandRun(string providerId, RemoteProcess process, string? stdin, TimeSpan? timeout, byte[]? oomMarker,
        Func<string, Task>? killTree, Func<int, bool, CancellationToken, Task<string?>> describeExit, CommandOutput? output = null)
    {
        _flushAtEnd = output is null;
        _output = output ?? new CommandOutput();
        _providerId = providerId;
        _process = process;
        _timeout = timeout;
        _oomFilter = oomMarker is null ? null : new TrailingMarkerFilter(oomMarker);
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
    public CommandOutput Output => _output;

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
            OutputChunk? chunk;
            try
            {
                chunk = await _process.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw await TimedOutAsync().ConfigureAwait(false);
            }

            if (chunk is not { } read)
            {
                _ended = true;
                continue;
            }

            if (Accept(read.IsStderr, read.Bytes.Span) is { } e)
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

        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _stdinWriter.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or SandboxException)
        {
        }

        _deadline.Dispose();
    }

    private CommandEvent? Accept(bool isStderr, ReadOnlySpan<byte> payload)
    {
        if (isStderr)
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

        var exitCode = await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
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
            while (await _process.ReadAsync(drain.Token).ConfigureAwait(false) is { } chunk)
            {
                Accept(chunk.IsStderr, chunk.Bytes.Span);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SandboxException or IOException)
        {
        }

        _ended = true;
        _finished = true;
        _output.AddStderr(_oomFilter?.Flush() ?? []);
        _output.Flush();
        var seconds = _timeout!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return new SandboxTimeoutException(_providerId,
            $"The command did not finish within {seconds} s; it was killed with every process it started.",
            _timeout.Value, Stdout.ToString(), Stderr.ToString());
    }

    private async Task WriteStdinAsync(byte[] bytes)
    {
        try
        {
            if (bytes.Length > 0)
            {
                await _process.WriteStdinAsync(bytes, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SandboxException)
        {
            // The process exited without reading all of its stdin.
        }
        finally
        {
            try
            {
                await _process.CloseStdinAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SandboxException)
            {
                // Gone already: nothing is left to read it.
            }
        }
    }
}
