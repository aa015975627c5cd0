namespace Sandboxes;

/// <summary>The result of <see cref="SandboxClient.CheckHealthAsync(string?, CancellationToken)"/> for one provider.</summary>
public sealed record ProviderHealth
{
    /// <summary>The provider id.</summary>
    public required string Provider { get; init; }

    /// <summary>Healthy, degraded or unhealthy.</summary>
    public required ProviderHealthStatus Status { get; init; }

    /// <summary>What was found, in a sentence (credentials, circuit, probe outcome).</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>How long the probe took (zero when no call was made).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The provider's circuit breaker state after the check.</summary>
    public ProviderCircuitState CircuitState { get; init; }

    /// <summary>The probe's failure, if it failed.</summary>
    public Exception? Error { get; init; }
}
