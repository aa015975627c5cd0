using System.Net.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sandboxes;

/// <summary>Registers a <see cref="SandboxClient"/> with a host's services.</summary>
public static class SandboxesServiceCollectionExtensions
{
    /// <summary>The name prefix of the <see cref="HttpClient"/>s taken from <see cref="IHttpClientFactory"/>: <c>Sandboxes.e2b</c>, ...</summary>
    public const string HttpClientNamePrefix = "Sandboxes.";

    /// <summary>
    /// Registers a singleton <see cref="SandboxClient"/> configured from <paramref name="configuration"/> (see
    /// <see cref="SandboxesConfigurationBinder"/>), logging through the host's <see cref="ILoggerFactory"/>, timing with the
    /// host's <see cref="TimeProvider"/> when one is registered, and taking each provider's <see cref="HttpClient"/> from
    /// <see cref="IHttpClientFactory"/> (named <c>Sandboxes.&lt;provider&gt;</c>) when the host registered one.
    /// </summary>
    /// <example><code>builder.Services.AddSandboxes(builder.Configuration.GetSection("Sandboxes"));</code></example>
    public static IServiceCollection AddSandboxes(this IServiceCollection services, IConfiguration configuration, Action<SandboxClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddSandboxes(options =>
        {
            SandboxesConfigurationBinder.Bind(configuration, options);
            configure?.Invoke(options);
        });
    }

    /// <summary>Registers a singleton <see cref="SandboxClient"/> configured in code; see the other overload for what comes from the host.</summary>
    public static IServiceCollection AddSandboxes(this IServiceCollection services, Action<SandboxClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<SandboxClientOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        // The host's services fill what the options leave at their defaults; explicit settings win.
        builder.PostConfigure<IServiceProvider>((options, provider) =>
        {
            if (ReferenceEquals(options.TimeProvider, TimeProvider.System) && provider.GetService<TimeProvider>() is { } time)
            {
                options.TimeProvider = time;
            }

            if (provider.GetService<ILoggerFactory>() is { } loggers && options.LoggerFactory is Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory)
            {
                options.LoggerFactory = loggers;
            }

            if (options.HttpClientFactory is null && provider.GetService<IHttpClientFactory>() is { } factory)
            {
                options.HttpClientFactory = name => factory.CreateClient(HttpClientNamePrefix + name);
            }
        });

        services.TryAddSingleton(provider => new SandboxClient(provider.GetRequiredService<IOptions<SandboxClientOptions>>().Value));
        return services;
    }
}
