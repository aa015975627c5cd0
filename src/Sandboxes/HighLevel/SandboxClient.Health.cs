namespace Sandboxes;

public partial class SandboxClient
{
    /// <summary>
    /// Checks a provider (null: the resolved default): credentials present, circuit not open, and one cheap listing
    /// call answered within the attempt timeout. Never throws for an unhealthy provider; says why instead.
    /// </summary>
    public virtual ProviderHealth CheckHealth(string? provider = null) =>
        SyncBridge.Run(ct => CheckHealthAsync(provider, ct), CancellationToken.None);

    /// <inheritdoc cref="CheckHealth"/>
    public virtual async Task<ProviderHealth> CheckHealthAsync(string? provider = null, CancellationToken cancellationToken = default)
    {
        var name = ResolveProvider(provider).Provider;
        var descriptor = SandboxProviders.Describe(name);
        if (_resolver.CredentialSource(descriptor) is null)
        {
            return new ProviderHealth
            {
                Provider = name, Status = ProviderHealthStatus.Unhealthy,
                Description = $"No credentials: set {string.Join(" or ", descriptor.CredentialVariables)} or configure an API key.",
            };
        }

        ProviderSlot slot;
        try
        {
            slot = Slot(name);
        }
        catch (SandboxException e)
        {
            return new ProviderHealth { Provider = name, Status = ProviderHealthStatus.Unhealthy, Description = e.Message, Error = e };
        }

        var before = slot.Adapter.Pipeline.CircuitState;
        var started = _options.TimeProvider.GetTimestamp();
        try
        {
            await slot.Adapter.ProbeAsync(cancellationToken).ConfigureAwait(false);
            var state = slot.Adapter.Pipeline.CircuitState;
            return new ProviderHealth
            {
                Provider = name,
                Status = state == ProviderCircuitState.Closed && before == ProviderCircuitState.Closed ? ProviderHealthStatus.Healthy : ProviderHealthStatus.Degraded,
                Description = before == ProviderCircuitState.Closed ? "The provider answered." : $"The provider answered a probe after its circuit was {before}.",
                Duration = _options.TimeProvider.GetElapsedTime(started),
                CircuitState = state,
            };
        }
        catch (Exception e) when (e is SandboxException or HttpRequestException)
        {
            return new ProviderHealth
            {
                Provider = name, Status = ProviderHealthStatus.Unhealthy, Description = e.Message, Error = e,
                Duration = _options.TimeProvider.GetElapsedTime(started), CircuitState = slot.Adapter.Pipeline.CircuitState,
            };
        }
    }
}
