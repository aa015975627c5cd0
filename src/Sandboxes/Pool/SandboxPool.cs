using System.Diagnostics;

namespace Sandboxes;

/// <summary>
/// A pool of warm sandboxes: pre-warmed to <see cref="SandboxPoolOptions.MinSize"/>, never more than
/// <see cref="SandboxPoolOptions.MaxSize"/> alive (leased, idle and being created counted together), idle ones
/// expiring after <see cref="SandboxPoolOptions.MaxIdleTime"/> and every one after
/// <see cref="SandboxPoolOptions.TimeToLive"/>; a sandbox found dead is replaced. Disposing the pool kills every sandbox
/// it owns, leased ones included.
/// </summary>
/// <example><code>
/// await using var pool = await SandboxPool.CreateAsync(new SandboxPoolOptions { MinSize = 2, MaxSize = 8 });
/// await using var lease = await pool.AcquireAsync();
/// var r = await lease.Sandbox.RunCommandAsync("python3 -V");
/// </code></example>
public sealed class SandboxPool : IAsyncDisposable, IDisposable
{
    /// <summary>The label carrying the pool's id on each of its sandboxes.</summary>
    public const string PoolLabel = "sandboxes.pool";

    private readonly SandboxPoolOptions _options;
    private readonly SandboxClient _client;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _idle = new(); // most recently returned first: the warmest are leased first
    private readonly HashSet<Entry> _all = [];
    private readonly List<Task> _background = [];
    private readonly ITimer _maintenance;
    private TaskCompletionSource _changed = NewSignal();
    private int _alive;
    private int _leased;
    private int _peak;
    private long _created;
    private long _discarded;
    private long _warm;
    private long _cold;
    private bool _disposed;

    /// <summary>Creates a pool over <paramref name="client"/> (default: <see cref="Sandbox.DefaultClient"/>) and starts filling it to its minimum in the background.</summary>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    public SandboxPool(SandboxPoolOptions options, SandboxClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options.Freeze();
        _options = options;
        _client = client ?? Sandbox.DefaultClient;
        _time = _client.Options.TimeProvider;
        Id = "pool-" + Guid.NewGuid().ToString("N")[..10];
        _maintenance = _time.CreateTimer(_ => Maintain(), null, options.MaintenanceInterval, options.MaintenanceInterval);
        Track(FillAsync());
    }

    /// <summary>Creates a pool and waits until its <see cref="SandboxPoolOptions.MinSize"/> sandboxes are ready.</summary>
    public static async Task<SandboxPool> CreateAsync(SandboxPoolOptions options, SandboxClient? client = null, CancellationToken cancellationToken = default)
    {
        var pool = new SandboxPool(options, client);
        try
        {
            await pool.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            return pool;
        }
        catch
        {
            await pool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The pool's id, also the value of the <see cref="PoolLabel"/> label on its sandboxes.</summary>
    public string Id { get; }

    /// <summary>The options (frozen).</summary>
    public SandboxPoolOptions Options => _options;

    /// <summary>The pool's counters now.</summary>
    public SandboxPoolStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new SandboxPoolStatistics
                {
                    Alive = _alive, Idle = _idle.Count, Leased = _leased, PeakAlive = _peak, Created = _created, Discarded = _discarded,
                    WarmAcquires = _warm, ColdAcquires = _cold,
                };
            }
        }
    }

    /// <summary>Creates sandboxes until <see cref="SandboxPoolOptions.MinSize"/> are alive; the first creation error is thrown.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        var tasks = new List<Task>();
        while (TryReserve(toMinimum: true))
        {
            tasks.Add(CreateIdleAsync(cancellationToken));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);

        // Creations the constructor started in the background count towards the minimum too: wait for them.
        Task[] background;
        lock (_gate)
        {
            background = [.. _background];
        }

        await Task.WhenAll(background).ConfigureAwait(false);
    }

    /// <summary>
    /// Leases a sandbox: an idle one if there is one (checked alive first), else a new one if fewer than the maximum are
    /// alive, else waits up to <see cref="SandboxPoolOptions.AcquireTimeout"/> for one to be returned.
    /// </summary>
    /// <exception cref="QuotaExceededException">All sandboxes stayed leased for the whole acquire timeout.</exception>
    public async Task<SandboxLease> AcquireAsync(CancellationToken cancellationToken = default)
    {
        using var activity = SandboxTelemetry.ActivitySource.StartActivity("sandboxes.pool.acquire");
        activity?.SetTag("sandboxes.pool.id", Id);
        var started = _time.GetTimestamp();
        var deadline = _time.GetUtcNow() + _options.AcquireTimeout;
        while (true)
        {
            Entry? entry = null;
            var create = false;
            Task waitFor;
            List<Entry> expired = [];
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                while (_idle.First?.Value is { } first)
                {
                    _idle.RemoveFirst();
                    if (IsExpired(first, idleToo: true))
                    {
                        expired.Add(first);
                        continue;
                    }

                    entry = first;
                    _leased++;
                    break;
                }

                if (entry is null && _alive < _options.MaxSize)
                {
                    _alive++;
                    _leased++;
                    _peak = Math.Max(_peak, _alive);
                    create = true;
                }

                waitFor = _changed.Task;
            }

            foreach (var old in expired)
            {
                await DiscardAsync(old, "expired").ConfigureAwait(false);
            }

            if (entry is not null)
            {
                if (_options.CheckHealthOnAcquire && !await IsAliveAsync(entry, cancellationToken).ConfigureAwait(false))
                {
                    lock (_gate)
                    {
                        _leased--;
                    }

                    await DiscardAsync(entry, "found dead when leased").ConfigureAwait(false);
                    continue;
                }

                Interlocked.Increment(ref _warm);
                return Leased(entry, warm: true, started);
            }

            if (create)
            {
                Entry fresh;
                try
                {
                    fresh = await CreateEntryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    lock (_gate)
                    {
                        _alive--;
                        _leased--;
                        Signal();
                    }

                    throw;
                }

                Interlocked.Increment(ref _cold);
                return Leased(fresh, warm: false, started);
            }

            var remaining = deadline - _time.GetUtcNow();
            try
            {
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }

                await waitFor.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new QuotaExceededException(_options.Sandbox.Provider ?? string.Empty,
                    $"Pool {Id}: all {_options.MaxSize} sandboxes stayed leased for {_options.AcquireTimeout.TotalSeconds:0.#} s.");
            }
        }
    }

    /// <summary>Kills every sandbox the pool owns, idle and leased; a lease returned later is a no-op.</summary>
    public void Dispose() => SyncBridge.Run(_ => DisposeAsync().AsTask(), CancellationToken.None);

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        Task[] background;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            background = [.. _background];
            Signal();
        }

        await _maintenance.DisposeAsync().ConfigureAwait(false);
        try
        {
            // Creations under way finish first; each sees the pool disposed and kills what it made.
            await Task.WhenAll(background).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException)
        {
        }

        List<Entry> owned;
        lock (_gate)
        {
            owned = [.. _all];
            _idle.Clear();
        }

        await Task.WhenAll(owned.Select(e => DiscardAsync(e, "pool disposed"))).ConfigureAwait(false);
    }

    internal async Task ReturnAsync(SandboxLease lease)
    {
        var entry = lease.Entry;
        string? discard = null;
        lock (_gate)
        {
            _leased--;
            if (_disposed || !_all.Contains(entry))
            {
                return; // the pool already killed it
            }
        }

        if (lease.IsBroken)
        {
            discard = "marked broken";
        }
        else if (_options.ReturnPolicy == SandboxReturnPolicy.Discard)
        {
            discard = "discarded on return";
        }
        else if (IsExpired(entry, idleToo: false))
        {
            discard = "past its time to live";
        }
        else if (_options.ReturnPolicy == SandboxReturnPolicy.Reset)
        {
            discard = await ResetAsync(entry).ConfigureAwait(false);
        }

        if (discard is not null)
        {
            await DiscardAsync(entry, discard).ConfigureAwait(false);
            Track(FillAsync());
            return;
        }

        lock (_gate)
        {
            if (!_disposed)
            {
                entry.IdleSince = _time.GetUtcNow();
                _idle.AddFirst(entry);
                Signal();
                return;
            }
        }

        await DiscardAsync(entry, "pool disposed").ConfigureAwait(false);
    }

    private SandboxLease Leased(Entry entry, bool warm, long started)
    {
        SandboxTelemetry.PoolAcquireDuration.Record(_time.GetElapsedTime(started).TotalSeconds,
            SandboxTelemetry.Provider(entry.Sandbox.Provider), new("warm", warm));
        return new SandboxLease(this, entry, warm);
    }

    private async Task<string?> ResetAsync(Entry entry)
    {
        try
        {
            foreach (var command in _options.ResetCommands)
            {
                var result = await entry.Sandbox.RunCommandAsync(new RunCommandRequest(command) { TimeoutSeconds = 120 }).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    return $"reset command `{command}` exited with {result.ExitCode}";
                }
            }

            return null;
        }
        catch (SandboxException e)
        {
            return "reset failed: " + e.Message;
        }
    }

    private async Task<bool> IsAliveAsync(Entry entry, CancellationToken cancellationToken)
    {
        try
        {
            return await entry.Sandbox.IsRunningAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            return false;
        }
    }

    private bool IsExpired(Entry entry, bool idleToo)
    {
        var now = _time.GetUtcNow();
        return now - entry.CreatedAt >= _options.TimeToLive || (idleToo && now - entry.IdleSince >= _options.MaxIdleTime);
    }

    private bool TryReserve(bool toMinimum)
    {
        lock (_gate)
        {
            if (_disposed || _alive >= _options.MaxSize || (toMinimum && _alive >= _options.MinSize))
            {
                return false;
            }

            _alive++;
            _peak = Math.Max(_peak, _alive);
            return true;
        }
    }

    private async Task CreateIdleAsync(CancellationToken cancellationToken)
    {
        Entry entry;
        try
        {
            entry = await CreateEntryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _alive--;
                Signal();
            }

            throw;
        }

        lock (_gate)
        {
            if (!_disposed)
            {
                _idle.AddLast(entry);
                Signal();
                return;
            }
        }

        await DiscardAsync(entry, "pool disposed").ConfigureAwait(false);
    }

    private async Task<Entry> CreateEntryAsync(CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string>(_options.Sandbox.Labels ?? new Dictionary<string, string>());
        foreach (var (key, value) in _options.Labels)
        {
            labels[key] = value;
        }

        labels[PoolLabel] = Id;

        // Kept: the pool, not the handle, decides when a pooled sandbox dies (a user disposing the lease's sandbox
        // must not kill it under the pool's feet).
        var sandbox = await _client.CreateAsync(_options.Sandbox with { Labels = labels, Keep = true }, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var entry = new Entry(sandbox, now) { IdleSince = now };
        int alive;
        lock (_gate)
        {
            _all.Add(entry);
            _created++;
            alive = _alive;
        }

        Log.PoolCreated(_client.Logger, Id, sandbox.Id, alive);
        return entry;
    }

    private async Task DiscardAsync(Entry entry, string reason)
    {
        lock (_gate)
        {
            if (!_all.Remove(entry))
            {
                return;
            }

            _alive--;
            _discarded++;
            Signal();
        }

        Log.PoolDiscarded(_client.Logger, Id, entry.Sandbox.Id, reason);
        try
        {
            await entry.Sandbox.KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SandboxException e)
        {
            Log.PoolFailure(_client.Logger, Id, "kill " + entry.Sandbox.Id, e.Message);
        }
    }

    /// <summary>Refills to the minimum, one creation at a time; failures are logged and retried at the next maintenance.</summary>
    private async Task FillAsync()
    {
        await Task.Yield();
        while (TryReserve(toMinimum: true))
        {
            try
            {
                await CreateIdleAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SandboxException or OperationCanceledException)
            {
                Log.PoolFailure(_client.Logger, Id, "refill", e.Message);
                return;
            }
        }
    }

    private void Maintain()
    {
        List<Entry> expired = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            for (var node = _idle.First; node is not null;)
            {
                var next = node.Next;
                if (IsExpired(node.Value, idleToo: true))
                {
                    expired.Add(node.Value);
                    _idle.Remove(node);
                }

                node = next;
            }
        }

        Track(MaintainAsync(expired));
    }

    private async Task MaintainAsync(List<Entry> expired)
    {
        foreach (var entry in expired)
        {
            await DiscardAsync(entry, "idle too long or past its time to live").ConfigureAwait(false);
        }

        await FillAsync().ConfigureAwait(false);
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    // Wakes every waiter; each re-checks the pool under the lock (a new signal replaces the spent one).
    private void Signal()
    {
        var spent = _changed;
        _changed = NewSignal();
        spent.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One sandbox of the pool.</summary>
    internal sealed class Entry(Sandbox sandbox, DateTimeOffset createdAt)
    {
        public Sandbox Sandbox { get; } = sandbox;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset IdleSince { get; set; }
    }
}
