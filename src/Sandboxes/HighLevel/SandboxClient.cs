using Microsoft.Extensions.Logging;
using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// The high-level client over every provider: chooses a provider (or a failover chain), creates sandboxes with presets,
/// runs one-liners, finds sandboxes by label, checks health, and routes every provider call through that provider's
/// resilience pipeline (retries, circuit breaker, timeouts). The static <see cref="Sandbox"/> entry points use a shared
/// instance (<see cref="Sandbox.DefaultClient"/>); hosts with dependency injection register one with <c>AddSandboxes</c>.
/// Thread-safe. Disposing it kills the sandboxes it created that are not kept.
/// </summary>
public partial class SandboxClient : IAsyncDisposable, IDisposable
{
    private readonly SandboxClientOptions _options;
    private readonly ProviderResolver _resolver;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ProviderSlot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _slotsLock = new();
    private int _disposed;

    /// <summary>
    /// Creates a client configured from the environment and the configuration file. Nothing is read or contacted until
    /// first use, so this is also the constructor a mock derives through (every service method is virtual).
    /// </summary>
    public SandboxClient()
        : this(new SandboxClientOptions())
    {
    }

    /// <summary>Creates a client with options; the options are validated now and frozen.</summary>
    /// <exception cref="BadConfigException">The options name a provider that is not registered.</exception>
    public SandboxClient(SandboxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options.Freeze();
        _options = options;
        _resolver = new ProviderResolver(options);
        _logger = options.LoggerFactory.CreateLogger("Sandboxes");
    }

    /// <summary>The options this client was built with (frozen).</summary>
    public SandboxClientOptions Options => _options;

    /// <summary>Says which provider a call naming <paramref name="provider"/> (or none) would use, and why.</summary>
    /// <exception cref="BadConfigException">The provider is unknown, or none is usable.</exception>
    public virtual ProviderResolution ResolveProvider(string? provider = null) => _resolver.Resolve(provider);

    /// <summary>
    /// The protocol client for a provider (null: the resolved default), with this client's resilience around every
    /// call: the way to use the full <see cref="Sandboxer"/> API with retries and the circuit breaker.
    /// </summary>
    public virtual Sandboxer GetSandboxer(string? provider = null) => Slot(ResolveProvider(provider).Provider).Client;

    /// <summary>The state of a provider's circuit breaker (closed for a provider not used yet).</summary>
    public virtual ProviderCircuitState GetCircuitState(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        lock (_slotsLock)
        {
            return _slots.TryGetValue(provider, out var slot) ? slot.Adapter.Pipeline.CircuitState : ProviderCircuitState.Closed;
        }
    }

    /// <summary>Kills the sandboxes this client created that are not kept, and releases every provider's resources.</summary>
    public void Dispose() => SyncBridge.Run(_ => DisposeAsync().AsTask(), CancellationToken.None);

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        List<ProviderSlot> slots;
        lock (_slotsLock)
        {
            slots = [.. _slots.Values];
            _slots.Clear();
        }

        foreach (var slot in slots)
        {
            SandboxTelemetry.UnregisterBreaker(slot);
            await slot.Client.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The provider's adapter, pipeline and protocol client, built once on first use.</summary>
    internal ProviderSlot Slot(string provider)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_slotsLock)
        {
            if (_slots.TryGetValue(provider, out var existing))
            {
                return existing;
            }

            var descriptor = SandboxProviders.Describe(provider);
            var config = _resolver.GetConfig(descriptor.Id);
            if (config.HttpClient is null && _options.HttpClientFactory?.Invoke(descriptor.Id) is { } http)
            {
                config = config with { HttpClient = http };
            }

            var inner = SandboxProviders.Create(descriptor.Id, config);
            var adapter = ResilientSandboxProvider.Wrap(inner, _options.Resilience, _options.TimeProvider, _logger);
            var slot = new ProviderSlot(adapter, new Sandboxer(adapter));
            SandboxTelemetry.RegisterBreaker(slot, descriptor.Id, () => adapter.Pipeline.CircuitState);
            _slots[descriptor.Id] = slot;
            return slot;
        }
    }

    internal ILogger Logger => _logger;

    internal ProviderResolver Resolver => _resolver;

    /// <summary>One provider as a client uses it.</summary>
    internal sealed record ProviderSlot(ResilientSandboxProvider Adapter, Sandboxer Client);
}
