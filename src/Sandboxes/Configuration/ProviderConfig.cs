using System.Globalization;

namespace Sandboxes;

/// <summary>
/// How to reach a provider: credentials, endpoint, default timeout, and provider-specific settings in <see cref="Extra"/>.
/// Fields left null are filled from the environment by the provider (for example <c>E2B_API_KEY</c>).
/// The API key never appears in <see cref="ToString"/>, messages or logs.
/// </summary>
public sealed record ProviderConfig
{
    private readonly string? _apiKey;

    /// <summary>The API key; null to read it from the provider's environment variable.</summary>
    public string? ApiKey
    {
        get => _apiKey;
        init
        {
            SecretScrubber.Register(value);
            _apiKey = value;
        }
    }

    /// <summary>The API endpoint; null for the provider's default (or its environment override).</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The timeout of a single call to the provider's API (not of the commands it runs); null for the provider's default.</summary>
    public TimeSpan? DefaultTimeout { get; init; }

    /// <summary>
    /// Provider-specific settings (for example <c>state_dir</c> and <c>isolation</c> for local, <c>target</c> for Daytona).
    /// Keys are matched ignoring case, underscores and dashes, so <c>state_dir</c>, <c>stateDir</c> and <c>StateDir</c> are one key.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Extra { get; init; } = new Dictionary<string, object?>();

    /// <summary>An <see cref="HttpClient"/> to use instead of one the provider creates (it is not disposed by the library).</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// Builds a config from a dictionary as sandboxer accepts it: <c>api_key</c>/<c>apiKey</c>, <c>base_url</c>/<c>baseUrl</c>,
    /// <c>default_timeout_ms</c>/<c>defaultTimeout</c> (a <see cref="TimeSpan"/>, seconds or milliseconds as named); every other key
    /// lands in <see cref="Extra"/>.
    /// </summary>
    /// <exception cref="BadConfigException">A known key has a value of the wrong type.</exception>
    public static ProviderConfig FromDictionary(IReadOnlyDictionary<string, object?> values, string provider = "")
    {
        ArgumentNullException.ThrowIfNull(values);
        string? apiKey = null;
        Uri? baseUrl = null;
        TimeSpan? timeout = null;
        HttpClient? httpClient = null;
        var extra = new Dictionary<string, object?>();
        foreach (var (key, value) in values)
        {
            switch (NormalizeKey(key))
            {
                case "apikey":
                    apiKey = value?.ToString();
                    break;
                case "baseurl":
                case "url":
                    baseUrl = value switch
                    {
                        null => null,
                        Uri uri => uri,
                        string s when Uri.TryCreate(s, UriKind.Absolute, out var parsed) => parsed,
                        _ => throw new BadConfigException(provider, $"Config key '{key}' must be an absolute URL."),
                    };
                    break;
                case "defaulttimeoutms":
                    timeout = value is null ? null : TimeSpan.FromMilliseconds(ToDouble(value, key, provider));
                    break;
                case "defaulttimeoutseconds":
                case "timeoutseconds":
                    timeout = value is null ? null : TimeSpan.FromSeconds(ToDouble(value, key, provider));
                    break;
                case "defaulttimeout":
                    timeout = value switch
                    {
                        null => null,
                        TimeSpan span => span,
                        _ => TimeSpan.FromSeconds(ToDouble(value, key, provider)),
                    };
                    break;
                case "httpclient":
                    httpClient = value as HttpClient
                                 ?? throw new BadConfigException(provider, $"Config key '{key}' must be an HttpClient.");
                    break;
                default:
                    extra[key] = value;
                    break;
            }
        }

        return new ProviderConfig { ApiKey = apiKey, BaseUrl = baseUrl, DefaultTimeout = timeout, Extra = extra, HttpClient = httpClient };
    }

    /// <summary>Reads a provider-specific setting as a string, matching keys ignoring case, underscores and dashes.</summary>
    public string? GetExtra(string key)
    {
        var wanted = NormalizeKey(key);
        foreach (var (k, v) in Extra)
        {
            if (NormalizeKey(k) == wanted)
            {
                return v switch
                {
                    null => null,
                    string s => s,
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => v.ToString(),
                };
            }
        }

        return null;
    }

    /// <summary>Reads a boolean setting (<c>true</c>/<c>false</c>/<c>1</c>/<c>0</c>/<c>yes</c>/<c>no</c>).</summary>
    /// <exception cref="BadConfigException">The value is not a boolean.</exception>
    public bool? GetExtraBool(string key, string provider = "")
    {
        var text = GetExtra(key);
        return text?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new BadConfigException(provider, $"Config key '{key}' must be true or false, not '{text}'."),
        };
    }

    /// <summary>Returns a copy with <paramref name="key"/> set in <see cref="Extra"/>.</summary>
    public ProviderConfig WithExtra(string key, object? value)
    {
        var copy = new Dictionary<string, object?>(Extra) { [key] = value };
        return this with { Extra = copy };
    }

    /// <summary>Describes the config with the API key masked.</summary>
    public override string ToString() =>
        $"ProviderConfig {{ ApiKey = {(ApiKey is null ? "null" : SecretScrubber.Mask)}, BaseUrl = {BaseUrl}, DefaultTimeout = {DefaultTimeout}, Extra = [{string.Join(", ", Extra.Keys)}] }}";

    internal static string NormalizeKey(string key) =>
        key.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    private static double ToDouble(object value, string key, string provider) => value switch
    {
        int i => i,
        long l => l,
        double d => d,
        float f => f,
        decimal m => (double)m,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new BadConfigException(provider, $"Config key '{key}' must be a number."),
    };
}
