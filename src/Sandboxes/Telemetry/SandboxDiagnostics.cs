namespace Sandboxes;

/// <summary>
/// The names under which the library reports traces and metrics, for OpenTelemetry and <c>dotnet-counters</c>:
/// <c>AddSource(SandboxDiagnostics.ActivitySourceName)</c>, <c>AddMeter(SandboxDiagnostics.MeterName)</c>.
/// </summary>
public static class SandboxDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: one activity per provider call, failover and pool acquire.</summary>
    public const string ActivitySourceName = "Sandboxes";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name.</summary>
    public const string MeterName = "Sandboxes";

    /// <summary>Histogram, seconds: how long creating a sandbox took (tags: provider, outcome).</summary>
    public const string CreateDuration = "sandboxes.sandbox.create.duration";

    /// <summary>Histogram, seconds: how long a command ran, as seen by the client (tags: provider, outcome).</summary>
    public const string CommandDuration = "sandboxes.command.duration";

    /// <summary>Counter: retries of provider calls (tags: provider, operation, error type).</summary>
    public const string Retries = "sandboxes.retries";

    /// <summary>Gauge: each provider's circuit state, 0 closed, 1 open, 2 half-open, 3 isolated (tag: provider).</summary>
    public const string CircuitBreakerState = "sandboxes.circuit_breaker.state";

    /// <summary>Counter: circuit breaker transitions (tags: provider, state).</summary>
    public const string CircuitBreakerTransitions = "sandboxes.circuit_breaker.transitions";

    /// <summary>Counter: providers passed over by failover (tags: provider, error type).</summary>
    public const string Failovers = "sandboxes.failovers";

    /// <summary>Histogram, seconds: how long acquiring a pooled sandbox took (tags: provider, warm).</summary>
    public const string PoolAcquireDuration = "sandboxes.pool.acquire.duration";

    /// <summary>The tag naming the provider on every activity and measurement.</summary>
    public const string ProviderTag = "sandboxes.provider";
}
