using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sandboxes;

/// <summary>A health check for one provider, through <see cref="SandboxClient.CheckHealthAsync(string?, CancellationToken)"/>.</summary>
public sealed class SandboxProviderHealthCheck : IHealthCheck
{
    private readonly SandboxClient _client;
    private readonly string? _provider;

    /// <summary>Creates the check for <paramref name="provider"/> (null: the client's resolved default).</summary>
    public SandboxProviderHealthCheck(SandboxClient client, string? provider)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _provider = provider;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var health = await _client.CheckHealthAsync(_provider, cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>
        {
            ["provider"] = health.Provider, ["circuit"] = health.CircuitState.ToString(), ["duration_ms"] = health.Duration.TotalMilliseconds,
        };
        return health.Status switch
        {
            ProviderHealthStatus.Healthy => HealthCheckResult.Healthy(health.Description, data),
            ProviderHealthStatus.Degraded => HealthCheckResult.Degraded(health.Description, health.Error, data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, health.Description, health.Error, data),
        };
    }
}
