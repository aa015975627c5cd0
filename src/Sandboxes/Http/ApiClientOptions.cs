namespace Sandboxes.Http;

/// <summary>
/// Options of a generated client. Defaults: the spec's first server (or the <c>SandboxesBaseUrl</c> metadata), no
/// credentials, the spec's server-variable defaults, and <see cref="TimeProvider.System"/>. A client copies what it
/// needs when it is built, so changing an options object later does not change a client.
/// </summary>
public sealed record ApiClientOptions
{
    /// <summary>Overrides the base address (the spec's server URL); null keeps the spec's default.</summary>
    public Uri? BaseAddress { get; init; }

    /// <summary>The credentials security schemes are filled from; null sends none.</summary>
    public ApiCredentials? Credentials { get; init; }

    /// <summary>Values for the variables of the spec's server URL (for example <c>{region}</c>); missing ones keep their defaults.</summary>
    public IReadOnlyDictionary<string, string> ServerVariables { get; init; } = new Dictionary<string, string>();

    /// <summary>The provider name errors carry (<see cref="SandboxException.Provider"/>); null for the client's default.</summary>
    public string? ProviderName { get; init; }

    /// <summary>Headers sent with every request (for example a <c>User-Agent</c>).</summary>
    public IReadOnlyDictionary<string, string> DefaultHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// How long one call may wait for the response headers (a streamed body may take longer); null for no limit beyond the
    /// <see cref="HttpClient"/>'s own. An expired call raises a transient <see cref="ProviderException"/> with status 408.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The clock used to interpret an HTTP-date <c>Retry-After</c>; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The options an adapter derives from a <see cref="ProviderConfig"/>: its base URL, its default timeout, the provider
    /// name, and its API key offered both as an API key and as a bearer token (each operation takes the first of its
    /// security alternatives that can be filled, so a spec's own scheme decides).
    /// </summary>
    /// <param name="config">The provider's configuration.</param>
    /// <param name="providerName">The provider name errors carry.</param>
    /// <param name="apiKey">The key to use instead of <see cref="ProviderConfig.ApiKey"/> (for example one read from the environment).</param>
    public static ApiClientOptions FromConfig(ProviderConfig config, string providerName, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var key = apiKey ?? config.ApiKey;
        return new ApiClientOptions
        {
            BaseAddress = config.BaseUrl,
            Timeout = config.DefaultTimeout,
            ProviderName = providerName,
            Credentials = string.IsNullOrEmpty(key) ? null : new ApiCredentials { ApiKey = key, BearerToken = key },
        };
    }
}
