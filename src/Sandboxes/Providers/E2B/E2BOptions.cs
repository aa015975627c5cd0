namespace Sandboxes.Providers.E2B;

/// <summary>
/// The E2B adapter's settings, read once from its <see cref="ProviderConfig"/> and the environment, with the meaning
/// E2B's own SDKs give them: the API at <c>https://api.{domain}</c>, envd at <c>https://49983-{sandboxId}.{domain}</c>.
/// </summary>
internal sealed record E2BOptions
{
    /// <summary>The port envd listens on inside every sandbox.</summary>
    public const int EnvdPort = 49983;

    /// <summary>E2B's default domain.</summary>
    public const string DefaultDomain = "e2b.app";

    /// <summary>The key of the control plane (<c>X-API-Key</c>); null when none is configured.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The control plane: <see cref="ProviderConfig.BaseUrl"/>, else <c>E2B_API_URL</c>, else <c>https://api.{domain}</c>.</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>The domain sandboxes are reached under when the API does not name one: <c>domain</c>, else <c>E2B_DOMAIN</c>, else e2b.app.</summary>
    public string Domain { get; init; } = DefaultDomain;

    /// <summary>
    /// Where envd is reached for every sandbox instead of its own host (<c>sandbox_url</c>, else <c>E2B_SANDBOX_URL</c>, as in
    /// E2B's SDKs); requests then name their sandbox in the <c>E2b-Sandbox-Id</c> header. Null for the sandbox's host.
    /// </summary>
    public Uri? SandboxUrl { get; init; }

    /// <summary>
    /// Where envd's Connect RPC calls go when they must take another route than its HTTP API (<c>sandbox_rpc_url</c>);
    /// null for the same address. Tests use it to send the HTTP API through a spec-validating proxy that cannot carry
    /// Connect RPC.
    /// </summary>
    public Uri? SandboxRpcUrl { get; init; }

    /// <summary>The working directory of commands and the base of relative paths (<c>workdir</c>, default /home/user, E2B's home).</summary>
    public string Workdir { get; init; } = "/home/user";

    /// <summary>The user commands and file operations run as when a request names none (<c>user</c>, default E2B's <c>user</c>).</summary>
    public string User { get; init; } = "user";

    /// <summary>The template sandboxes start from when the request names none (<c>template</c>, default <c>base</c>).</summary>
    public string Template { get; init; } = "base";

    /// <summary>Pause sandboxes instead of killing them when their lifetime ends (<c>auto_pause</c>, default false).</summary>
    public bool AutoPause { get; init; }

    /// <summary>The lifetime of a sandbox whose request sets none, and the one a resume grants: 300 s, as in E2B's SDKs.</summary>
    public int SandboxTimeoutSeconds { get; init; } = 300;

    /// <summary>How long a single API call may take (<see cref="ProviderConfig.DefaultTimeout"/>, default 60 s as in E2B's SDKs).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Reads the settings: the config first, then the environment.</summary>
    /// <param name="config">The provider's configuration.</param>
    /// <param name="environment">Reads an environment variable; null for the process's environment.</param>
    /// <exception cref="BadConfigException">A URL or a setting is malformed.</exception>
    public static E2BOptions From(ProviderConfig config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        environment ??= Environment.GetEnvironmentVariable;
        var domain = NonEmpty(config.GetExtra("domain")) ?? NonEmpty(environment("E2B_DOMAIN")) ?? DefaultDomain;
        if (domain.Contains('/', StringComparison.Ordinal) || domain.Contains(':', StringComparison.Ordinal))
        {
            throw new BadConfigException(E2BProvider.ProviderId, $"The E2B domain is a host name such as e2b.app, not '{domain}'.");
        }

        var apiUrl = config.BaseUrl
                     ?? Url(environment("E2B_API_URL"), "E2B_API_URL")
                     ?? new Uri($"https://api.{domain}");
        var workdir = NonEmpty(config.GetExtra("workdir")) ?? "/home/user";
        if (!workdir.StartsWith('/'))
        {
            throw new BadConfigException(E2BProvider.ProviderId, $"The E2B setting 'workdir' must be an absolute path, not '{workdir}'.");
        }

        var timeout = config.DefaultTimeout ?? TimeSpan.FromSeconds(60);
        return new E2BOptions
        {
            ApiKey = NonEmpty(config.ApiKey) ?? NonEmpty(environment("E2B_API_KEY")),
            ApiUrl = apiUrl,
            Domain = domain,
            SandboxUrl = Url(config.GetExtra("sandbox_url"), "sandbox_url") ?? Url(environment("E2B_SANDBOX_URL"), "E2B_SANDBOX_URL"),
            SandboxRpcUrl = Url(config.GetExtra("sandbox_rpc_url"), "sandbox_rpc_url"),
            Workdir = workdir.Length > 1 ? workdir.TrimEnd('/') : workdir,
            User = NonEmpty(config.GetExtra("user")) ?? "user",
            Template = NonEmpty(config.GetExtra("template")) ?? "base",
            AutoPause = config.GetExtraBool("auto_pause", E2BProvider.ProviderId) ?? false,
            RequestTimeout = timeout,
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri? Url(string? value, string name)
    {
        if (NonEmpty(value) is not { } text)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new BadConfigException(E2BProvider.ProviderId, $"The E2B setting '{name}' must be an absolute http(s) URL.");
    }
}
