using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Sandboxes;

/// <summary>
/// Reads a configuration section into <see cref="SandboxClientOptions"/>, key by key, without reflection (so it works
/// trimmed and AOT-compiled) and strictly: an unknown key or a value of the wrong type is reported with its path, when
/// the client is first built, rather than silently ignored. Keys ignore case, as configuration does.
/// </summary>
/// <example><code>
/// "Sandboxes": {
///   "DefaultProvider": "e2b", "Fallback": [ "local" ], "UseConfigFile": false,
///   "Providers": { "e2b": { "ApiKey": "...", "BaseUrl": "https://api.e2b.app" }, "local": { "state_dir": "/var/lib/sbx" } },
///   "Resilience": { "Retry": { "MaxRetryAttempts": 5, "BaseDelay": "00:00:01" }, "CircuitBreaker": { "BreakDuration": 60 },
///                   "Timeouts": { "Attempt": "00:00:20" } }
/// }
/// </code></example>
public static class SandboxesConfigurationBinder
{
    /// <summary>Applies the section's values to <paramref name="options"/>.</summary>
    /// <exception cref="BadConfigException">A key is unknown or a value has the wrong type; the message names its path.</exception>
    public static void Bind(IConfiguration section, SandboxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var child in section.GetChildren())
        {
            switch (child.Key.ToLowerInvariant())
            {
                case "defaultprovider":
                    options.DefaultProvider = child.Value;
                    break;
                case "fallback":
                    options.Fallback = child.GetChildren().Select(c => c.Value ?? string.Empty).ToArray();
                    break;
                case "useconfigfile":
                    options.UseConfigFile = Bool(child);
                    break;
                case "configfilepath":
                    options.ConfigFilePath = child.Value;
                    break;
                case "providers":
                    foreach (var provider in child.GetChildren())
                    {
                        var values = provider.GetChildren().ToDictionary(v => v.Key, v => (object?)v.Value, StringComparer.Ordinal);
                        options.ConfigureProvider(provider.Key, ProviderConfig.FromDictionary(values, provider.Key));
                    }

                    break;
                case "resilience":
                    BindResilience(child, options.Resilience);
                    break;
                default:
                    throw Unknown(child);
            }
        }
    }

    private static void BindResilience(IConfigurationSection section, SandboxResilienceOptions resilience)
    {
        foreach (var child in section.GetChildren())
        {
            switch (child.Key.ToLowerInvariant())
            {
                case "enabled":
                    resilience.Enabled = Bool(child);
                    break;
                case "retry":
                    foreach (var value in child.GetChildren())
                    {
                        Set(value, value.Key.ToLowerInvariant() switch
                        {
                            "maxretryattempts" => () => resilience.Retry.MaxRetryAttempts = Int(value),
                            "basedelay" => () => resilience.Retry.BaseDelay = Time(value),
                            "maxdelay" => () => resilience.Retry.MaxDelay = Time(value),
                            "maxretryafter" => () => resilience.Retry.MaxRetryAfter = Time(value),
                            "usejitter" => () => resilience.Retry.UseJitter = Bool(value),
                            _ => null,
                        });
                    }

                    break;
                case "circuitbreaker":
                    foreach (var value in child.GetChildren())
                    {
                        Set(value, value.Key.ToLowerInvariant() switch
                        {
                            "enabled" => () => resilience.CircuitBreaker.Enabled = Bool(value),
                            "failureratio" => () => resilience.CircuitBreaker.FailureRatio = Double(value),
                            "minimumthroughput" => () => resilience.CircuitBreaker.MinimumThroughput = Int(value),
                            "samplingduration" => () => resilience.CircuitBreaker.SamplingDuration = Time(value),
                            "breakduration" => () => resilience.CircuitBreaker.BreakDuration = Time(value),
                            _ => null,
                        });
                    }

                    break;
                case "timeouts":
                    foreach (var value in child.GetChildren())
                    {
                        Set(value, value.Key.ToLowerInvariant() switch
                        {
                            "attempt" => () => resilience.Timeouts.Attempt = Time(value),
                            "create" => () => resilience.Timeouts.Create = Time(value),
                            "operation" => () => resilience.Timeouts.Operation = Time(value),
                            "commandgrace" => () => resilience.Timeouts.CommandGrace = Time(value),
                            _ => null,
                        });
                    }

                    break;
                default:
                    throw Unknown(child);
            }
        }
    }

    private static void Set(IConfigurationSection value, Action? assign)
    {
        if (assign is null)
        {
            throw Unknown(value);
        }

        try
        {
            assign();
        }
        catch (ArgumentException e)
        {
            throw new BadConfigException(string.Empty, $"Configuration value {value.Path} = '{value.Value}' is out of range: {e.Message}", e);
        }
    }

    private static bool Bool(IConfigurationSection value) =>
        bool.TryParse(value.Value, out var b) ? b : throw Bad(value, "true or false");

    private static int Int(IConfigurationSection value) =>
        int.TryParse(value.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Bad(value, "a whole number");

    private static double Double(IConfigurationSection value) =>
        double.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Bad(value, "a number");

    /// <summary>A duration: <c>hh:mm:ss</c> (as TimeSpan writes it), a number of seconds, or <c>Infinite</c>.</summary>
    private static TimeSpan Time(IConfigurationSection value)
    {
        if (string.Equals(value.Value, "Infinite", StringComparison.OrdinalIgnoreCase))
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (double.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return TimeSpan.TryParse(value.Value, CultureInfo.InvariantCulture, out var span) ? span : throw Bad(value, "a duration (hh:mm:ss or seconds)");
    }

    private static BadConfigException Bad(IConfigurationSection value, string expected) =>
        new(string.Empty, $"Configuration value {value.Path} = '{value.Value}' must be {expected}.");

    private static BadConfigException Unknown(IConfigurationSection value) =>
        new(string.Empty, $"Unknown configuration key {value.Path}.");
}
