using System.Text.RegularExpressions;

namespace Sandboxes.Providers.Docker;

/// <summary>The docker provider's settings, read from <see cref="ProviderConfig"/> and the environment.</summary>
internal sealed partial record DockerOptions
{
    /// <summary>The image used when a request names neither an image nor a template.</summary>
    public const string FallbackImage = "debian:bookworm-slim";

    /// <summary>The newest Engine API version this adapter speaks (the version of specs/docker/v1.55.yaml).</summary>
    public const string ClientApiVersion = "1.55";

    /// <summary>The oldest Engine API version the adapter accepts: 1.41 is what Docker 20.10 and Podman 4 report.</summary>
    public const string MinimumApiVersion = "1.41";

    /// <summary>Where the engine listens.</summary>
    public required DockerEndpoint Endpoint { get; init; }

    /// <summary>The default image: config <c>image</c>, else <c>SANDBOXES_DOCKER_IMAGE</c>, else <see cref="FallbackImage"/>.</summary>
    public required string DefaultImage { get; init; }

    /// <summary>A pinned API version (config <c>api_version</c> or <c>DOCKER_API_VERSION</c>); null to negotiate.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>The time limit of each engine call (<see cref="ProviderConfig.DefaultTimeout"/>); null for none.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>
    /// Reads the settings. The engine address comes from <see cref="ProviderConfig.BaseUrl"/>, else config <c>docker_host</c>,
    /// else <c>DOCKER_HOST</c>, else the standard socket <c>unix:///var/run/docker.sock</c>. A <c>tcp://</c> engine is
    /// reached over TLS when config <c>tls_verify</c> or <c>DOCKER_TLS_VERIFY</c> is set (not <c>0</c>), with the files
    /// in config <c>cert_path</c>, else <c>DOCKER_CERT_PATH</c>, else <c>~/.docker</c>; an <c>ssh://</c> engine through
    /// <c>ssh</c>, with config <c>ssh_config</c> as its configuration file when set.
    /// </summary>
    /// <exception cref="BadConfigException">An address or version that cannot be used.</exception>
    public static DockerOptions From(ProviderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var host = config.BaseUrl?.OriginalString
                   ?? config.GetExtra("docker_host")
                   ?? NonEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST"))
                   ?? DockerEndpoint.DefaultHost;
        // As the docker CLI reads them: TLS (always verified) when DOCKER_TLS_VERIFY is set, with the files in DOCKER_CERT_PATH.
        var verify = config.GetExtra("tls_verify") ?? NonEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY"));
        var tls = verify is not null && verify != "0" && !verify.Equals("false", StringComparison.OrdinalIgnoreCase)
            ? DockerTls.Load(config.GetExtra("cert_path") ?? NonEmpty(Environment.GetEnvironmentVariable("DOCKER_CERT_PATH")))
            : null;

        var version = config.GetExtra("api_version") ?? NonEmpty(Environment.GetEnvironmentVariable("DOCKER_API_VERSION"));
        if (version is not null)
        {
            version = version.Trim().TrimStart('v');
            if (!VersionPattern().IsMatch(version))
            {
                throw new BadConfigException(DockerProvider.ProviderId, $"An Engine API version looks like 1.41, not '{version}'.");
            }
        }

        return new DockerOptions
        {
            Endpoint = DockerEndpoint.Parse(host, tls, config.GetExtra("ssh_config")),
            DefaultImage = config.GetExtra("image") ?? NonEmpty(Environment.GetEnvironmentVariable("SANDBOXES_DOCKER_IMAGE")) ?? FallbackImage,
            ApiVersion = version,
            RequestTimeout = config.DefaultTimeout,
        };
    }

    /// <summary>Compares two <c>major.minor</c> API versions.</summary>
    public static int CompareVersions(string a, string b)
    {
        var (aMajor, aMinor) = Split(a);
        var (bMajor, bMinor) = Split(b);
        return aMajor != bMajor ? aMajor.CompareTo(bMajor) : aMinor.CompareTo(bMinor);

        static (int Major, int Minor) Split(string version)
        {
            var parts = version.Split('.');
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
                parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
        }
    }

    /// <summary>True for a <c>major.minor</c> version string.</summary>
    public static bool IsVersion(string? text) => text is not null && VersionPattern().IsMatch(text);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [GeneratedRegex(@"^\d+\.\d+\z")]
    private static partial Regex VersionPattern();
}
