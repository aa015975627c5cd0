using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sandboxes;

/// <summary>Adds provider health checks to a host's health checks.</summary>
public static class SandboxesHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check per provider, named <c>sandboxes:&lt;provider&gt;</c> (with no providers: one for the
    /// resolved default, named <c>sandboxes</c>). Needs <see cref="SandboxesServiceCollectionExtensions.AddSandboxes(IServiceCollection, Action{SandboxClientOptions}?)"/>.
    /// </summary>
    public static IHealthChecksBuilder AddSandboxes(this IHealthChecksBuilder builder, params string[] providers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(providers);
        if (providers.Length == 0)
        {
            return builder.Add(new HealthCheckRegistration("sandboxes",
                sp => new SandboxProviderHealthCheck(sp.GetRequiredService<SandboxClient>(), null), null, ["sandboxes"]));
        }

        foreach (var provider in providers)
        {
            builder.Add(new HealthCheckRegistration("sandboxes:" + provider,
                sp => new SandboxProviderHealthCheck(sp.GetRequiredService<SandboxClient>(), provider), null, ["sandboxes"]));
        }

        return builder;
    }
}
