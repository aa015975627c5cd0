using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// Wraps an adapter so that every one of its operations runs through the provider's resilience pipeline, with an
/// activity and metrics.
/// </summary>
/// <remarks>
/// <para>
/// Where the pipeline sits: around adapter operations, not in the HTTP stack. At this level the library knows what an
/// operation means: describing a sandbox is idempotent, starting a command is not, creating one can be made safe by a
/// label, even when a vendor does all three with POST. The adapter has already turned responses into typed errors
/// (<see cref="RateLimitException.RetryAfter"/>, <see cref="SandboxException.IsTransient"/>), and the same pipeline
/// serves providers that are not HTTP at all (local, Docker over a socket, Jupyter's WebSocket). HTTP adapters therefore
/// get plain <see cref="HttpClient"/>s (from <c>IHttpClientFactory</c> when a host has one) with no retry handler:
/// retrying in both places would multiply attempts (4 × 4) and retry POSTs blindly.
/// </para>
/// <para>
/// Operations that hand back a live stream (file reads, streamed commands, terminals) are called with the caller's
/// token rather than the pipeline's, and without client-side timeouts: Polly pools and reuses its cancellation
/// sources, so a stream holding one could be cancelled by an unrelated call later.
/// </para>
/// </remarks>
internal sealed class ResilientSandboxProvider : SandboxProvider
{
    private static readonly TimeSpan Infinite = Timeout.InfiniteTimeSpan;
    private readonly SandboxProvider _inner;
    private readonly ProviderPipeline _pipeline;
    private readonly SandboxTimeoutOptions _timeouts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ResilientSandboxProvider(SandboxProvider inner, ProviderPipeline pipeline, SandboxResilienceOptions options, TimeProvider time, ILogger logger)
        : base(inner.Config)
    {
        _inner = inner;
        _pipeline = pipeline;
        _timeouts = options.Enabled ? options.Timeouts : new SandboxTimeoutOptions { Attempt = Infinite, Create = Infinite, Operation = Infinite };
        _time = time;
        _logger = logger;
    }

    public override ProviderDescriptor Descriptor => _inner.Descriptor;

    /// <summary>The adapter underneath.</summary>
    public SandboxProvider Inner => _inner;

    public ProviderPipeline Pipeline => _pipeline;

    // ---- Lifecycle ----

    public override async Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        using var activity = Start("create");
        var started = _time.GetTimestamp();
        var outcome = "failure";
        try
        {
            var info = _inner is IIdempotentSandboxCreation idempotent
                ? await CreateWithKeyAsync(idempotent, request, cancellationToken).ConfigureAwait(false)
                : Descriptor.Capabilities.Supports(Capability.Labels)
                    ? await CreateWithLabelAsync(request, cancellationToken).ConfigureAwait(false)
                    : await ExecuteAsync("create", Idempotency.NotIdempotent, _timeouts.Create, Infinite,
                        ct => _inner.CreateSandboxAsync(request, ct), cancellationToken, traced: false).ConfigureAwait(false);
            activity?.SetTag("sandboxes.sandbox.id", info.Id);
            outcome = "success";
            return info;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            SandboxTelemetry.CreateDuration.Record(_time.GetElapsedTime(started).TotalSeconds, SandboxTelemetry.Provider(Name), new("outcome", outcome));
        }
    }

    private Task<SandboxInfo> CreateWithKeyAsync(IIdempotentSandboxCreation idempotent, CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var key = Guid.NewGuid().ToString("N");
        return ExecuteAsync("create", Idempotency.Idempotent, _timeouts.Create, Infinite,
            ct => idempotent.CreateSandboxAsync(request, key, ct), cancellationToken, traced: false);
    }

    /// <summary>
    /// Creates with a unique creation label. When an attempt fails in a way that may have reached the provider (a 502, a
    /// timeout, a reset connection), the sandbox is looked up by that label: found and up, it is adopted; not found,
    /// creating again is safe. Whatever the end, sandboxes carrying the label other than the one returned are killed, so
    /// an unknown outcome never leaks a sandbox.
    /// </summary>
    private async Task<SandboxInfo> CreateWithLabelAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var creationId = CreationLabel.NewId();
        var labelled = CreationLabel.Stamp(request, creationId);
        var ambiguous = 0;
        SandboxInfo info;
        try
        {
            info = await ExecuteAsync("create", Idempotency.CreateWithRecovery, _timeouts.Create, Infinite, async ct =>
            {
                try
                {
                    return await _inner.CreateSandboxAsync(labelled, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (FailureClassifier.OutcomeUnknown(e))
                {
                    Interlocked.Increment(ref ambiguous);
                    Log.CreationOutcomeUnknown(_logger, Name, e.Message, CreationLabel.Key, creationId);
                    var found = await FindCreatedAsync(creationId).ConfigureAwait(false);
                    if (found.Count > 0 && await UpAsync(found[0], cancellationToken).ConfigureAwait(false) is { } adopted)
                    {
                        Log.CreationAdopted(_logger, adopted.Id, Name);
                        return adopted;
                    }

                    throw;
                }
            }, cancellationToken, traced: false).ConfigureAwait(false);
        }
        catch (Exception) when (Volatile.Read(ref ambiguous) > 0)
        {
            await SweepAsync(creationId, keep: null).ConfigureAwait(false);
            throw;
        }

        if (Volatile.Read(ref ambiguous) > 0)
        {
            await SweepAsync(creationId, keep: info.Id).ConfigureAwait(false);
        }

        return info;
    }

    private async Task<IReadOnlyList<SandboxInfo>> FindCreatedAsync(string creationId)
    {
        // Its own deadline (one attempt's), not the failed attempt's token: that attempt may be the one that timed out.
        using var cts = new CancellationTokenSource(_timeouts.Attempt, _time);
        try
        {
            return await CreationLabel.FindAsync(_inner, creationId, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException or HttpRequestException)
        {
            return [];
        }
    }

    /// <summary>
    /// The sandbox found by its creation label once it is up, or null if it never comes up. A provider that answers a
    /// create before the sandbox runs (Daytona starts it in the background) lists it as starting; its create would have
    /// waited for it, and so does the adoption, within one create's time and for as long as the caller waits.
    /// </summary>
    private async Task<SandboxInfo?> UpAsync(SandboxInfo found, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_timeouts.Create, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var delay = TimeSpan.FromMilliseconds(100);
        var info = found;
        try
        {
            while (info.Status == SandboxStatus.Starting)
            {
                await Task.Delay(delay, _time, linked.Token).ConfigureAwait(false);
                info = await _inner.GetSandboxAsync(info.Id, linked.Token).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException or HttpRequestException)
        {
            return null; // gone, unreachable or too slow: not adopted, so the sweep kills it
        }

        return info.Status == SandboxStatus.Running ? info : null;
    }

    private async Task SweepAsync(string creationId, string? keep)
    {
        using var cts = new CancellationTokenSource(_timeouts.Attempt == Infinite ? Infinite : _timeouts.Attempt * 2, _time);
        try
        {
            foreach (var orphan in (await CreationLabel.FindAsync(_inner, creationId, cts.Token).ConfigureAwait(false)).Where(s => s.Id != keep))
            {
                await _inner.KillSandboxAsync(orphan.Id, cts.Token).ConfigureAwait(false);
                Log.OrphanKilled(_logger, orphan.Id, Name);
            }
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException or HttpRequestException)
        {
            Log.OrphanSweepFailed(_logger, creationId, Name, e.Message, CreationLabel.Key);
        }
    }

    public override Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        Quick("get", ct => _inner.GetSandboxAsync(sandboxId, ct), cancellationToken);

    public override Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken) =>
        Quick("list", ct => _inner.ListSandboxesAsync(filter, ct), cancellationToken);

    public override Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        Quick("kill", ct => _inner.KillSandboxAsync(sandboxId, ct), cancellationToken);

    // ---- Commands ----

    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        using var activity = Start("command", sandboxId);
        var started = _time.GetTimestamp();
        var outcome = "error";
        try
        {
            // Never cut a command short on the client: wait for its own timeout, plus grace for the provider to report it.
            var attempt = request.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) + _timeouts.CommandGrace : Infinite;
            if (_timeouts.Attempt == Infinite)
            {
                attempt = Infinite;
            }

            var result = await ExecuteAsync("command", Idempotency.NotIdempotent, attempt, Infinite,
                ct => _inner.RunCommandAsync(sandboxId, request, ct), cancellationToken, isCommand: true, traced: false).ConfigureAwait(false);
            outcome = result.Succeeded ? "success" : "nonzero_exit";
            activity?.SetTag("process.exit.code", result.ExitCode);
            return result;
        }
        catch (SandboxTimeoutException)
        {
            outcome = "timeout";
            throw;
        }
        finally
        {
            SandboxTelemetry.CommandDuration.Record(_time.GetElapsedTime(started).TotalSeconds, SandboxTelemetry.Provider(Name), new("outcome", outcome));
        }
    }

    public override IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        // Called now, not on first iteration: a capability gap throws at call time, as the adapter contract says.
        var source = _inner.StreamCommandAsync(sandboxId, request, cancellationToken);
        return MeasureCommandAsync(StreamThroughPipelineAsync("command.stream", Idempotency.NotIdempotent, source, cancellationToken), cancellationToken);
    }

    private async IAsyncEnumerable<CommandEvent> MeasureCommandAsync(IAsyncEnumerable<CommandEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var outcome = "error";
        try
        {
            await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (e.Kind == CommandEventKind.Exit)
                {
                    outcome = e.ExitCode == 0 ? "success" : "nonzero_exit";
                }

                yield return e;
            }
        }
        finally
        {
            SandboxTelemetry.CommandDuration.Record(_time.GetElapsedTime(started).TotalSeconds, SandboxTelemetry.Provider(Name), new("outcome", outcome));
        }
    }

    public override Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync("command.start", Idempotency.NotIdempotent, _timeouts.Attempt, _timeouts.Operation,
            ct => _inner.StartCommandAsync(sandboxId, request, ct), cancellationToken);

    public override Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        ExecuteAsync("command.wait", Idempotency.Idempotent, Infinite, Infinite,
            ct => _inner.WaitForHandleAsync(sandboxId, handleId, ct), cancellationToken);

    public override IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        StreamThroughPipelineAsync("command.attach", Idempotency.Idempotent, _inner.AttachCommandAsync(sandboxId, handleId, cancellationToken), cancellationToken);

    public override Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        ExecuteAsync("command.stdin", Idempotency.NotIdempotent, _timeouts.Attempt, _timeouts.Operation,
            ct => Unit(_inner.WriteStdinAsync(sandboxId, handleId, data, ct)), cancellationToken);

    public override Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        Quick("command.stdin.close", ct => _inner.CloseStdinAsync(sandboxId, handleId, ct), cancellationToken);

    public override Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken) =>
        Quick("process.kill", ct => _inner.KillProcessAsync(sandboxId, pid, signal, ct), cancellationToken);

    public override Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) =>
        Quick("process.list", ct => _inner.ListProcessesAsync(sandboxId, ct), cancellationToken);

    // ---- Files ----

    public override Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        ExecuteAsync("files.read", Idempotency.Idempotent, Infinite, Infinite,
            _ => _inner.OpenReadAsync(sandboxId, path, cancellationToken), cancellationToken);

    public override Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken)
    {
        // A seekable body is rewound before each attempt, so the write can be repeated; any other is sent once.
        var start = content.CanSeek ? content.Position : -1;
        return ExecuteAsync("files.write", start >= 0 ? Idempotency.Idempotent : Idempotency.Never, Infinite, Infinite, ct =>
        {
            if (start >= 0)
            {
                content.Position = start;
            }

            return Unit(_inner.WriteFileAsync(sandboxId, path, content, options, ct));
        }, cancellationToken);
    }

    public override Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Quick("files.list", ct => _inner.ListDirectoryAsync(sandboxId, path, ct), cancellationToken);

    public override Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Quick("files.mkdir", ct => _inner.MakeDirAsync(sandboxId, path, ct), cancellationToken);

    public override Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Quick("files.remove", ct => _inner.RemoveAsync(sandboxId, path, ct), cancellationToken);

    public override Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Quick("files.exists", ct => _inner.ExistsAsync(sandboxId, path, ct), cancellationToken);

    // ---- PTY ----

    public override Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync("pty.create", Idempotency.NotIdempotent, Infinite, Infinite,
            _ => _inner.CreatePtyAsync(sandboxId, request, cancellationToken), cancellationToken);

    public override Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken) =>
        Quick("pty.resize", ct => _inner.ResizePtyAsync(sandboxId, pid, rows, cols, ct), cancellationToken);

    public override Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken) =>
        Quick("pty.kill", ct => _inner.KillPtyAsync(sandboxId, pid, ct), cancellationToken);

    public override Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken) =>
        Quick("pty.list", ct => _inner.ListPtyAsync(sandboxId, ct), cancellationToken);

    // ---- Lifecycle extras ----

    public override Task PauseAsync(string sandboxId, CancellationToken cancellationToken) =>
        Quick("pause", ct => _inner.PauseAsync(sandboxId, ct), cancellationToken);

    // Setting the lifetime counts from now: repeating it after a lost answer only moves the end by the retry's delay.
    public override Task SetTimeoutAsync(string sandboxId, int timeoutSeconds, CancellationToken cancellationToken) =>
        Quick("timeout", ct => _inner.SetTimeoutAsync(sandboxId, timeoutSeconds, ct), cancellationToken);

    public override Task ResumeAsync(string sandboxId, CancellationToken cancellationToken) =>
        Quick("resume", ct => _inner.ResumeAsync(sandboxId, ct), cancellationToken);

    public override Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken) =>
        ExecuteAsync("snapshot.create", Idempotency.NotIdempotent, Infinite, Infinite,
            ct => _inner.CreateSnapshotAsync(sandboxId, name, ct), cancellationToken);

    public override Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken) =>
        Quick("snapshot.list", ct => _inner.ListSnapshotsAsync(ct), cancellationToken);

    public override Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken) =>
        Quick("snapshot.delete", ct => _inner.DeleteSnapshotAsync(snapshotId, ct), cancellationToken);

    public override Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        Quick("ports.url", ct => _inner.GetPortUrlAsync(sandboxId, port, ct), cancellationToken);

    // ---- Code contexts ----

    // Starting an interpreter and running code take as long as they take: no client-side timeout (a run has its own).
    public override Task<CodeContext> CreateCodeContextAsync(string sandboxId, CreateCodeContextRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync("code.context.create", Idempotency.NotIdempotent, Infinite, Infinite,
            ct => _inner.CreateCodeContextAsync(sandboxId, request, ct), cancellationToken);

    public override Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(string sandboxId, CancellationToken cancellationToken) =>
        Quick("code.context.list", ct => _inner.ListCodeContextsAsync(sandboxId, ct), cancellationToken);

    public override Task<ExecutionResult> RunCodeInContextAsync(string sandboxId, RunCodeRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync("code.run", Idempotency.NotIdempotent, Infinite, Infinite,
            ct => _inner.RunCodeInContextAsync(sandboxId, request, ct), cancellationToken);

    public override Task InterruptCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        Quick("code.context.interrupt", ct => _inner.InterruptCodeContextAsync(sandboxId, contextId, ct), cancellationToken);

    public override Task RestartCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        ExecuteAsync("code.context.restart", Idempotency.NotIdempotent, Infinite, Infinite,
            ct => Unit(_inner.RestartCodeContextAsync(sandboxId, contextId, ct)), cancellationToken);

    public override Task CloseCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        Quick("code.context.close", ct => _inner.CloseCodeContextAsync(sandboxId, contextId, ct), cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A probe for health checks: one listing call, through the breaker but never retried.</summary>
    internal Task ProbeAsync(CancellationToken cancellationToken) =>
        ExecuteAsync("health", Idempotency.Never, _timeouts.Attempt, _timeouts.Attempt,
            ct => _inner.ListSandboxesAsync(new ListSandboxesFilter { Limit = 1 }, ct), cancellationToken);

    // ---- Plumbing ----

    private Task<T> Quick<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        ExecuteAsync(operation, Idempotency.Idempotent, _timeouts.Attempt, _timeouts.Operation, call, cancellationToken);

    private Task Quick(string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        ExecuteAsync(operation, Idempotency.Idempotent, _timeouts.Attempt, _timeouts.Operation, ct => Unit(call(ct)), cancellationToken);

    private async Task<T> ExecuteAsync<T>(string operation, Idempotency idempotency, TimeSpan attemptTimeout, TimeSpan operationTimeout,
        Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool isCommand = false, bool traced = true)
    {
        // Create and run-command start their own, richer activity; every other operation gets one here.
        using var activity = traced ? Start(operation) : null;
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        context.Properties.Set(ResilienceKeys.Operation, operation);
        context.Properties.Set(ResilienceKeys.Idempotency, idempotency);
        context.Properties.Set(ResilienceKeys.AttemptTimeout, attemptTimeout);
        context.Properties.Set(ResilienceKeys.OperationTimeout, operationTimeout);
        try
        {
            return await _pipeline.Pipeline.ExecuteAsync(
                static async (ctx, call) => await call(ctx.CancellationToken).ConfigureAwait(false), context, call).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new CircuitOpenException(Name,
                $"The circuit of provider '{Name}' is open after repeated provider-side failures; {operation} was not sent." +
                (e.RetryAfter is { } wait ? $" A probe is let through in {wait.TotalSeconds:0.#} s." : string.Empty), e.RetryAfter, e);
        }
        catch (TimeoutRejectedException e) when (!cancellationToken.IsCancellationRequested)
        {
            var message = $"Provider '{Name}' gave no answer to {operation} within {e.Timeout.TotalSeconds:0.#} s.";
            if (isCommand)
            {
                throw new SandboxTimeoutException(Name, message + " The command may still be running.", e.Timeout, innerException: e);
            }

            throw new ProviderException(Name, message, innerException: new TimeoutException(message, e));
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Runs a stream through the pipeline up to its first event: the request is sent and accepted (or retried, as the
    /// operation's idempotency allows) inside it, and the rest flows to the caller without re-entering it.
    /// </summary>
    private async IAsyncEnumerable<CommandEvent> StreamThroughPipelineAsync(string operation, Idempotency idempotency,
        IAsyncEnumerable<CommandEvent> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (enumerator, first) = await ExecuteAsync(operation, idempotency, Infinite, Infinite, async _ =>
        {
            // Each attempt enumerates the source afresh, which sends the request again.
            var e = source.GetAsyncEnumerator(cancellationToken);
            try
            {
                return (e, await e.MoveNextAsync().ConfigureAwait(false) ? e.Current : null);
            }
            catch
            {
                await e.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);

        await using (enumerator.ConfigureAwait(false))
        {
            if (first is null)
            {
                yield break;
            }

            yield return first;
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                yield return enumerator.Current;
            }
        }
    }

    private Activity? Start(string operation, string? sandboxId = null)
    {
        var activity = SandboxTelemetry.ActivitySource.StartActivity("sandboxes." + operation, ActivityKind.Client);
        activity?.SetTag(SandboxDiagnostics.ProviderTag, Name);
        if (sandboxId is not null)
        {
            activity?.SetTag("sandboxes.sandbox.id", sandboxId);
        }

        return activity;
    }

    private static async Task<bool> Unit(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
