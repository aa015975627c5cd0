using System.Globalization;
using System.Text.Json;

namespace Sandboxes;

/// <summary>
/// The configuration file shared by the library and the CLI: the default provider, a default failover chain and
/// per-provider settings. Found at <c>SANDBOXES_CONFIG</c>, else <c>$XDG_CONFIG_HOME/sandboxes/config.json</c>, else
/// <c>~/.config/sandboxes/config.json</c>; a missing file is an empty configuration.
/// </summary>
/// <example>
/// <code>
/// { "defaultProvider": "e2b", "fallback": ["local"],
///   "providers": { "e2b": { "apiKey": "e2b_...", "baseUrl": "https://api.e2b.app" }, "local": { "state_dir": "/var/tmp/sbx" } } }
/// </code>
/// </example>
public sealed class SandboxConfigFile
{
    /// <summary>The configuration of no file: no default provider, no failover chain, no provider settings.</summary>
    public static SandboxConfigFile Empty { get; } = new(null, null, [], new Dictionary<string, ProviderConfig>(StringComparer.OrdinalIgnoreCase));

    private SandboxConfigFile(string? path, string? defaultProvider, IReadOnlyList<string> fallback, IReadOnlyDictionary<string, ProviderConfig> providers)
    {
        Path = path;
        DefaultProvider = defaultProvider;
        Fallback = fallback;
        Providers = providers;
    }

    /// <summary>The file read, or null when there was none.</summary>
    public string? Path { get; }

    /// <summary>The file's <c>defaultProvider</c>, if it names one.</summary>
    public string? DefaultProvider { get; }

    /// <summary>The file's <c>fallback</c> chain of providers (empty when it has none).</summary>
    public IReadOnlyList<string> Fallback { get; }

    /// <summary>The file's <c>providers</c> section: each provider's settings, by provider id (case-insensitive).</summary>
    public IReadOnlyDictionary<string, ProviderConfig> Providers { get; }

    /// <summary>Where the file is looked for.</summary>
    public static string DefaultPath(Func<string, string?> environment)
    {
        if (environment("SANDBOXES_CONFIG") is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var configHome = environment("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(configHome) || !System.IO.Path.IsPathRooted(configHome))
        {
            // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
            var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            configHome = System.IO.Path.Combine(home, ".config");
        }

        return System.IO.Path.Combine(configHome, "sandboxes", "config.json");
    }

    /// <summary>Reads the file; a missing file is empty, a malformed one is a <see cref="BadConfigException"/> naming it.</summary>
    public static SandboxConfigFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadConfigException(string.Empty, $"The configuration file {path} cannot be read: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses the file's text.</summary>
    public static SandboxConfigFile Parse(string json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new BadConfigException(string.Empty, $"The configuration file {path} is not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, "its top level must be a JSON object");
            }

            string? defaultProvider = null;
            var fallback = new List<string>();
            var providers = new Dictionary<string, ProviderConfig>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (ProviderConfig.NormalizeKey(property.Name))
                {
                    case "defaultprovider":
                    case "provider":
                        defaultProvider = property.Value.ValueKind == JsonValueKind.String
                            ? property.Value.GetString()
                            : throw Bad(path, $"'{property.Name}' must be a string");
                        break;
                    case "fallback":
                        if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                        {
                            throw Bad(path, $"'{property.Name}' must be an array of provider names");
                        }

                        fallback.AddRange(property.Value.EnumerateArray().Select(e => e.GetString()!));
                        break;
                    case "providers":
                        if (property.Value.ValueKind != JsonValueKind.Object)
                        {
                            throw Bad(path, "'providers' must be an object keyed by provider name");
                        }

                        foreach (var provider in property.Value.EnumerateObject())
                        {
                            providers[provider.Name] = ReadProvider(provider, path);
                        }

                        break;
                    default:
                        // Unknown keys are kept for newer versions of the file (and the CLI's own settings).
                        break;
                }
            }

            return new SandboxConfigFile(path, string.IsNullOrWhiteSpace(defaultProvider) ? null : defaultProvider.Trim(), fallback, providers);
        }
    }

    private static ProviderConfig ReadProvider(JsonProperty provider, string path)
    {
        if (provider.Value.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"'providers.{provider.Name}' must be an object of settings");
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var setting in provider.Value.EnumerateObject())
        {
            values[setting.Name] = setting.Value.ValueKind switch
            {
                JsonValueKind.String => setting.Value.GetString(),
                JsonValueKind.Number => setting.Value.TryGetInt64(out var l) ? l : setting.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw Bad(path, $"'providers.{provider.Name}.{setting.Name}' must be a string, number or boolean"),
            };
        }

        return ProviderConfig.FromDictionary(values, provider.Name);
    }

    private static BadConfigException Bad(string path, string what) =>
        new(string.Empty, string.Create(CultureInfo.InvariantCulture, $"The configuration file {path} is invalid: {what}."));
}
