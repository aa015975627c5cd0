namespace Sandboxes;

/// <summary>The outcome of a provider health check.</summary>
public enum ProviderHealthStatus
{
    /// <summary>The provider is unusable: credentials missing, circuit open, or the probe failed.</summary>
    Unhealthy = 0,

    /// <summary>The provider answered, but its circuit is half-open after recent failures.</summary>
    Degraded = 1,

    /// <summary>The provider answered the probe.</summary>
    Healthy = 2,
}
