using System.Diagnostics;
using Sandboxes.Providers;

namespace Sandboxes;

// Creation: a forward cannot express it. An adapter with an idempotency key gets it; one with labels gets a creation label
// by which an attempt whose outcome is unknown is found and adopted, or killed; any other is retried only when refused.
internal sealed partial class ResilientSandboxProvider
{
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
}
