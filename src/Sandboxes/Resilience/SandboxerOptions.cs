using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sandboxes;

/// <summary>
/// Settings of a <see cref="Sandboxer"/>: the resilience around its provider's calls (on by default, with the same
/// retries, circuit breaker, timeouts, telemetry and creation-label protection as a <see cref="SandboxClient"/>), the
/// clock and the logger. Frozen once a client is built from them.
/// </summary>
/// <example>
/// Calls straight to the adapter, once each (telemetry and the creation label stay):
/// <code>
/// var options = new SandboxerOptions();
/// options.Resilience.Enabled = false;
/// using var client = new Sandboxer("e2b", config: null, options);
/// </code>
/// </example>
public sealed class SandboxerOptions
{
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private bool _frozen;

    /// <summary>Retries, the circuit breaker and client-side timeouts; <see cref="SandboxResilienceOptions.Enabled"/> false turns them off.</summary>
    public SandboxResilienceOptions Resilience { get; } = new();

    /// <summary>The clock of delays, timeouts and breaker windows. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set { Guard(); _timeProvider = value ?? throw new ArgumentNullException(nameof(value)); }
    }

    /// <summary>Where retries and breaker changes are logged. Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory
    {
        get => _loggerFactory;
        set { Guard(); _loggerFactory = value ?? throw new ArgumentNullException(nameof(value)); }
    }

    /// <summary>True once a client uses these options (they can then no longer change).</summary>
    public bool IsFrozen => _frozen;

    internal void Freeze()
    {
        _frozen = true;
        Resilience.Freeze();
    }

    private void Guard() => OptionsGuard.ThrowIfFrozen(_frozen, nameof(SandboxerOptions));
}
