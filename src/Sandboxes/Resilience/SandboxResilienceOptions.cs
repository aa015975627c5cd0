namespace Sandboxes;

/// <summary>
/// Resilience of every provider call made through a <see cref="SandboxClient"/> or a <see cref="Sandboxer"/>: retries, a
/// circuit breaker per provider and timeouts. One pipeline is built per provider from these settings when the provider is
/// first used (by a <see cref="Sandboxer"/>, when it is constructed).
/// </summary>
public sealed class SandboxResilienceOptions
{
    private bool _enabled = true;
    private bool _frozen;

    /// <summary>
    /// False turns retries, the breaker and client-side timeouts off: each call goes to the adapter once. Traces, metrics
    /// and the creation label (which finds the sandbox of a create whose answer was lost) stay. Default true.
    /// </summary>
    public bool Enabled
    {
        get => _enabled;
        set { OptionsGuard.ThrowIfFrozen(_frozen, nameof(SandboxResilienceOptions)); _enabled = value; }
    }

    /// <summary>Retry settings.</summary>
    public SandboxRetryOptions Retry { get; private init; } = new();

    /// <summary>Circuit breaker settings.</summary>
    public SandboxCircuitBreakerOptions CircuitBreaker { get; private init; } = new();

    /// <summary>Timeout settings.</summary>
    public SandboxTimeoutOptions Timeouts { get; private init; } = new();

    internal void Freeze()
    {
        _frozen = true;
        Retry.Freeze();
        CircuitBreaker.Freeze();
        Timeouts.Freeze();
    }

    internal SandboxResilienceOptions Clone() => new()
    {
        _enabled = _enabled, Retry = Retry.Clone(), CircuitBreaker = CircuitBreaker.Clone(), Timeouts = Timeouts.Clone(),
    };
}
