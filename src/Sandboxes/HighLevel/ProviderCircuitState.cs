namespace Sandboxes;

/// <summary>The state of a provider's circuit breaker.</summary>
public enum ProviderCircuitState
{
    /// <summary>Calls flow normally.</summary>
    Closed = 0,

    /// <summary>Recent calls failed on the provider's side; calls fail fast with <see cref="CircuitOpenException"/>.</summary>
    Open = 1,

    /// <summary>The break is over; the next call is a probe whose outcome closes or reopens the circuit.</summary>
    HalfOpen = 2,

    /// <summary>Opened by hand; stays open until closed by hand.</summary>
    Isolated = 3,
}
