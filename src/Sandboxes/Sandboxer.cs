using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// A client for one provider: creates, attaches, lists and kills sandboxes. Switching provider is changing the name.
/// Every call goes through the provider's resilience pipeline (retries as each operation's idempotency allows, a circuit
/// breaker, client-side timeouts), is traced and measured, and a create whose answer is lost is resolved by its
/// creation label, as with <see cref="SandboxClient"/>; <see cref="SandboxerOptions"/> tunes or turns that off.
/// Thread-safe; dispose it to release the provider's connections (sandboxes are not killed by that).
/// </summary>
/// <example>
/// <code>
/// using var client = new Sandboxer("local");
/// var (sandbox, info) = client.CreateSandbox();
/// var result = sandbox.RunCommand(new RunCommandRequest("echo hello"));
/// </code>
/// </example>
public sealed class Sandboxer : IDisposable, IAsyncDisposable
{
    private readonly ResilientSandboxProvider _provider;

    // True when this client built the pipeline (and registered its breaker); false for one a SandboxClient lends out.
    private readonly bool _ownsPipeline;

    // Sandboxes created through this client and not kept: disposing the client kills those still alive, so that
    // forgetting to dispose a handle does not leave a sandbox running.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Sandbox, byte> _owned = new();
    private int _disposed;

    /// <summary>Creates a client for <paramref name="provider"/> configured from the environment.</summary>
    /// <exception cref="BadConfigException">The provider is unknown, or its configuration is invalid.</exception>
    public Sandboxer(string provider)
        : this(provider, (ProviderConfig?)null)
    {
    }

    /// <summary>Creates a client for <paramref name="provider"/> with an explicit configuration.</summary>
    /// <exception cref="BadConfigException">The provider is unknown, or its configuration is invalid.</exception>
    public Sandboxer(string provider, ProviderConfig? config)
        : this(provider, config, null)
    {
    }

    /// <summary>Creates a client for <paramref name="provider"/> with an explicit configuration and client options.</summary>
    /// <exception cref="BadConfigException">The provider is unknown, or its configuration is invalid.</exception>
    public Sandboxer(string provider, ProviderConfig? config, SandboxerOptions? options)
        : this(SandboxProviders.Create(provider, config ?? new ProviderConfig()), options)
    {
    }

    /// <summary>
    /// Creates a client from a dictionary config, as sandboxer accepts it: keys in snake_case or camelCase
    /// (<c>api_key</c>, <c>base_url</c>, <c>default_timeout_ms</c>); unknown keys land in <see cref="ProviderConfig.Extra"/>.
    /// </summary>
    /// <exception cref="BadConfigException">The provider is unknown, or a value has the wrong type.</exception>
    public Sandboxer(string provider, IReadOnlyDictionary<string, object?> config)
        : this(provider, ProviderConfig.FromDictionary(config, provider))
    {
    }

    /// <summary>Creates a client over an adapter instance (for custom or test providers).</summary>
    public Sandboxer(SandboxProvider provider)
        : this(provider, null)
    {
    }

    /// <summary>Creates a client over an adapter instance with client options.</summary>
    public Sandboxer(SandboxProvider provider, SandboxerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        options ??= new SandboxerOptions();
        options.Freeze();
        _provider = ResilientSandboxProvider.Wrap(provider, options.Resilience, options.TimeProvider, options.LoggerFactory.CreateLogger("Sandboxes"));
        _ownsPipeline = true;
        SandboxTelemetry.RegisterBreaker(this, provider.Name, () => _provider.Pipeline.CircuitState);
    }

    /// <summary>
    /// A client over a <see cref="SandboxClient"/>'s adapter (<see cref="SandboxClient.GetSandboxer"/>): its pipeline is
    /// that client's, shared by all its callers, and so is the breaker's registration.
    /// </summary>
    internal Sandboxer(ResilientSandboxProvider lent)
    {
        _provider = lent;
    }

    /// <summary>The provider id, for example <c>local</c>.</summary>
    public string Provider => _provider.Name;

    /// <summary>What the provider is and can do.</summary>
    public ProviderDescriptor Descriptor => _provider.Descriptor;

    /// <summary>The provider's capability table.</summary>
    public ProviderCapabilities Capabilities => _provider.Descriptor.Capabilities;

    /// <summary>
    /// The provider's own adapter behind this client. Calls made on it directly bypass the client: no retries, circuit
    /// breaker, timeouts or telemetry.
    /// </summary>
    public SandboxProvider Adapter => _provider.Inner;

    /// <summary>The state of this client's circuit breaker (closed when resilience is off).</summary>
    public ProviderCircuitState CircuitState => _provider.Pipeline.CircuitState;

    /// <summary>The adapter as this client calls it: inside the resilience pipeline.</summary>
    internal ResilientSandboxProvider Resilient => _provider;

    /// <summary>Creates a sandbox and returns its handle and description.</summary>
    /// <exception cref="FeatureNotSupportedException">The request asks for something the provider cannot honour.</exception>
    public (Sandbox Sandbox, SandboxInfo Info) CreateSandbox(CreateSandboxRequest? request = null) =>
        SyncBridge.Run(ct => CreateSandboxAsync(request, ct), CancellationToken.None);

    /// <summary>Creates a sandbox and returns its handle and description.</summary>
    /// <remarks>
    /// A create whose outcome is unknown (its answer lost to a 502 or a dropped connection, its deadline passed, its
    /// token cancelled) leaves no sandbox behind: on a provider with labels, the request carries a unique
    /// <c>sandboxes.creation-id</c> label, by which what the provider made for the call is found and adopted when it is
    /// up, or killed before the error is reported; other adapters clean up after themselves.
    /// </remarks>
    /// <exception cref="FeatureNotSupportedException">The request asks for something the provider cannot honour.</exception>
    public async Task<(Sandbox Sandbox, SandboxInfo Info)> CreateSandboxAsync(CreateSandboxRequest? request = null,
        CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        request ??= new CreateSandboxRequest();
        RequestValidator.Validate(Capabilities, request);

        var info = CreationLabel.Hide(await _provider.CreateSandboxAsync(request, cancellationToken).ConfigureAwait(false));
        var sandbox = new Sandbox(_provider, info.Id, killOnDispose: !request.Keep);
        if (!request.Keep)
        {
            _owned[sandbox] = 0;
            sandbox.Released += released => _owned.TryRemove(released, out _);
        }

        return (sandbox, info);
    }

    /// <summary>Returns a handle to an existing sandbox (created by this or any other client or process).</summary>
    /// <exception cref="NotFoundException">No sandbox has that id.</exception>
    public Sandbox AttachSandbox(string sandboxId) => SyncBridge.Run(ct => AttachSandboxAsync(sandboxId, ct), CancellationToken.None);

    /// <summary>Returns a handle to an existing sandbox. Disposing the handle does not kill the sandbox.</summary>
    /// <exception cref="NotFoundException">No sandbox has that id.</exception>
    public async Task<Sandbox> AttachSandboxAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        await _provider.GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return new Sandbox(_provider, sandboxId, killOnDispose: false);
    }

    /// <summary>Lists sandboxes, optionally filtered by labels and status.</summary>
    public IReadOnlyList<SandboxInfo> ListSandboxes(ListSandboxesFilter? filter = null) =>
        SyncBridge.Run(ct => ListSandboxesAsync(filter, ct), CancellationToken.None);

    /// <summary>Lists sandboxes, optionally filtered by labels and status.</summary>
    public async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter? filter = null,
        CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        filter ??= new ListSandboxesFilter();
        if (filter.Provider is { } p && !string.Equals(p, Provider, StringComparison.OrdinalIgnoreCase))
        {
            throw new BadConfigException(Provider, $"This client lists '{Provider}' sandboxes; the filter asks for '{p}'.");
        }

        if (filter.Labels is { Count: > 0 })
        {
            Capabilities.Require(Capability.Labels, "ListSandboxesFilter.Labels");
        }

        if (filter.Limit is <= 0)
        {
            throw new BadConfigException(Provider, "ListSandboxesFilter.Limit must be positive.");
        }

        var all = await _provider.ListSandboxesAsync(filter, cancellationToken).ConfigureAwait(false);

        // Filter again here: the contract holds even where a vendor's own filtering is looser.
        IEnumerable<SandboxInfo> matching = all.Where(filter.Matches).Select(CreationLabel.Hide);
        if (filter.Limit is { } limit)
        {
            matching = matching.Take(limit);
        }

        return matching.ToList();
    }

    /// <summary>Kills a sandbox by id. Killing a sandbox that is already gone is not an error.</summary>
    public void KillSandbox(string sandboxId) => SyncBridge.Run(ct => KillSandboxAsync(sandboxId, ct), CancellationToken.None);

    /// <summary>Kills a sandbox by id. Killing a sandbox that is already gone is not an error.</summary>
    public Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        return _provider.KillSandboxAsync(sandboxId, cancellationToken);
    }

    /// <summary>Lists the provider's snapshots.</summary>
    public IReadOnlyList<SnapshotInfo> ListSnapshots() => SyncBridge.Run(ListSnapshotsAsync, CancellationToken.None);

    /// <summary>Lists the provider's snapshots.</summary>
    public Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _provider.ListSnapshotsAsync(cancellationToken);
    }

    /// <summary>Deletes a snapshot.</summary>
    public void DeleteSnapshot(string snapshotId) => SyncBridge.Run(ct => DeleteSnapshotAsync(snapshotId, ct), CancellationToken.None);

    /// <summary>Deletes a snapshot.</summary>
    public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(snapshotId);
        return _provider.DeleteSnapshotAsync(snapshotId, cancellationToken);
    }

    /// <summary>
    /// Kills the sandboxes this client created that were not kept and are still alive, then releases the provider's
    /// resources. Kept and attached sandboxes keep running.
    /// </summary>
    public void Dispose() => SyncBridge.Run(_ => DisposeAsync().AsTask(), CancellationToken.None);

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            foreach (var sandbox in _owned.Keys)
            {
                try
                {
                    await sandbox.DisposeAsync().ConfigureAwait(false);
                }
                catch (SandboxException)
                {
                    // Best effort: one sandbox that cannot be killed must not keep the others alive.
                }
            }
        }
        finally
        {
            if (_ownsPipeline)
            {
                SandboxTelemetry.UnregisterBreaker(this);
            }

            await _provider.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Same as <see cref="Dispose()"/>, for readers of sandboxer's <c>close()</c>.</summary>
    public void Close() => Dispose();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
