using System.Globalization;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// The Daytona provider's settings, read as Daytona's own SDKs read them: <see cref="ProviderConfig"/> first, then the
/// environment (<c>DAYTONA_API_KEY</c>, <c>DAYTONA_JWT_TOKEN</c>, <c>DAYTONA_ORGANIZATION_ID</c>, <c>DAYTONA_API_URL</c>,
/// <c>DAYTONA_TARGET</c>).
/// </summary>
internal sealed record DaytonaOptions
{
    /// <summary>Daytona's hosted API, the SDKs' default.</summary>
    public static readonly Uri DefaultApiUrl = new("https://app.daytona.io/api");

    /// <summary>The token sent as <c>Authorization: Bearer</c>: the API key, or a JWT; null when none is configured.</summary>
    public string? Token { get; init; }

    /// <summary>True when <see cref="Token"/> is a JWT (it then needs <see cref="OrganizationId"/>).</summary>
    public bool IsJwt { get; init; }

    /// <summary>
    /// The organization sent as <c>X-Daytona-Organization-ID</c>. Required with a JWT; an API key belongs to one
    /// organization, so the SDKs send no header with one, and neither does this provider unless it is configured.
    /// </summary>
    public string? OrganizationId { get; init; }

    /// <summary>The control plane's URL (<c>https://app.daytona.io/api</c> by default).</summary>
    public Uri ApiUrl { get; init; } = DefaultApiUrl;

    /// <summary>The region sandboxes are created in (<c>target</c>, <c>DAYTONA_TARGET</c>); null for the organization's default.</summary>
    public string? Target { get; init; }

    /// <summary>Whole vCPUs for every sandbox created (<c>cpu</c>); null for Daytona's default.</summary>
    public int? Cpu { get; init; }

    /// <summary>Whole GiB of memory for every sandbox created (<c>memory</c>); null for Daytona's default.</summary>
    public int? MemoryGib { get; init; }

    /// <summary>Minutes of inactivity before Daytona stops a sandbox (<c>auto_stop_interval</c>, 0 disables); null for Daytona's default (15).</summary>
    public int? AutoStopInterval { get; init; }

    /// <summary>How long a preview URL from <c>PortUrl</c> stays valid (<c>preview_url_ttl</c>, seconds, default one hour).</summary>
    public TimeSpan PreviewUrlLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long creating, starting, pausing or snapshotting may take (<c>state_timeout</c>, seconds, default 60 as in the SDKs).</summary>
    public TimeSpan StateTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Reads the settings.</summary>
    /// <exception cref="BadConfigException">A JWT without an organization, or a malformed value.</exception>
    public static DaytonaOptions From(ProviderConfig config)
    {
        var apiKey = config.ApiKey ?? Env("DAYTONA_API_KEY");
        var jwt = config.GetExtra("jwt_token") ?? Env("DAYTONA_JWT_TOKEN");
        var organization = config.GetExtra("organization_id") ?? Env("DAYTONA_ORGANIZATION_ID");
        var useJwt = string.IsNullOrEmpty(apiKey) && !string.IsNullOrEmpty(jwt);
        if (useJwt && string.IsNullOrEmpty(organization))
        {
            throw new BadConfigException(DaytonaProvider.ProviderId,
                "A Daytona JWT needs an organization: set DAYTONA_ORGANIZATION_ID (or the organization_id config key).");
        }

        return new DaytonaOptions
        {
            Token = useJwt ? jwt : string.IsNullOrEmpty(apiKey) ? null : apiKey,
            IsJwt = useJwt,
            OrganizationId = string.IsNullOrEmpty(organization) ? null : organization,
            ApiUrl = config.BaseUrl ?? ParseUrl(Env("DAYTONA_API_URL") ?? Env("DAYTONA_SERVER_URL")) ?? DefaultApiUrl,
            Target = config.GetExtra("target") ?? Env("DAYTONA_TARGET"),
            Cpu = Whole(config, "cpu"),
            MemoryGib = Whole(config, "memory"),
            AutoStopInterval = Whole(config, "auto_stop_interval", allowZero: true),
            PreviewUrlLifetime = TimeSpan.FromSeconds(Whole(config, "preview_url_ttl") ?? 3600),
            StateTimeout = TimeSpan.FromSeconds(Whole(config, "state_timeout") ?? 60),
        };
    }

    /// <summary>The token, or the error that says how to configure one (raised at the first call, not when the client is made).</summary>
    /// <exception cref="BadConfigException">No credentials are configured.</exception>
    public string RequireToken() => Token ?? throw new BadConfigException(DaytonaProvider.ProviderId,
        "Daytona credentials not found: set DAYTONA_API_KEY (or ProviderConfig.ApiKey), or DAYTONA_JWT_TOKEN with DAYTONA_ORGANIZATION_ID.");

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static Uri? ParseUrl(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new BadConfigException(DaytonaProvider.ProviderId, $"DAYTONA_API_URL must be an http or https URL, not '{text}'.");
    }

    private static int? Whole(ProviderConfig config, string key, bool allowZero = false)
    {
        var text = config.GetExtra(key);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0))
            ? value
            : throw new BadConfigException(DaytonaProvider.ProviderId, $"Config key '{key}' must be a whole {(allowZero ? "non-negative" : "positive")} number, not '{text}'.");
    }
}
