using Sandboxes.Isolation;

namespace Sandboxes.Providers.Jupyter;

/// <summary>The Jupyter provider's settings, from <see cref="ProviderConfig"/> and the environment.</summary>
internal sealed record JupyterOptions
{
    /// <summary>
    /// The server to use (<see cref="ProviderConfig.BaseUrl"/>, else <c>JUPYTER_URL</c>); null to start one on 127.0.0.1.
    /// </summary>
    public Uri? Url { get; init; }

    /// <summary>Its token (<see cref="ProviderConfig.ApiKey"/>, else <c>JUPYTER_TOKEN</c>); a started server gets a random one.</summary>
    public string? Token { get; init; }

    /// <summary>The kernel each sandbox runs (<c>kernel</c>, default <c>python3</c>).</summary>
    public string KernelName { get; init; } = "python3";

    /// <summary>The server program to start (<c>server_command</c>, default <c>jupyter-server</c> on PATH).</summary>
    public string ServerCommand { get; init; } = "jupyter-server";

    /// <summary>
    /// For a started server (<c>isolation</c>): <c>auto</c> jails it with bubblewrap when available, <c>namespaces</c>
    /// requires that, <c>process</c> runs it as a plain process in a temporary directory.
    /// </summary>
    public IsolationMode Isolation { get; init; } = IsolationMode.Auto;

    /// <summary>The bubblewrap executable (<c>bwrap_path</c>), else found on PATH.</summary>
    public string? BubblewrapPath { get; init; }

    public static JupyterOptions From(ProviderConfig config)
    {
        var url = config.BaseUrl?.ToString() ?? config.GetExtra("url") ?? Environment.GetEnvironmentVariable("JUPYTER_URL");
        Uri? parsed = null;
        if (!string.IsNullOrWhiteSpace(url) && (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out parsed) || parsed.Scheme is not ("http" or "https")))
        {
            throw new BadConfigException(JupyterProvider.ProviderId, $"The Jupyter server URL must be an http or https URL, not '{url}'.");
        }

        var isolationText = config.GetExtra("isolation") ?? "auto";
        return new JupyterOptions
        {
            Url = parsed,
            Token = config.ApiKey ?? NullIfEmpty(Environment.GetEnvironmentVariable("JUPYTER_TOKEN")),
            KernelName = config.GetExtra("kernel") ?? "python3",
            ServerCommand = config.GetExtra("server_command") ?? "jupyter-server",
            BubblewrapPath = config.GetExtra("bwrap_path"),
            Isolation = isolationText.Trim().ToLowerInvariant() switch
            {
                "auto" or "" => IsolationMode.Auto,
                "namespaces" or "namespace" or "bwrap" or "bubblewrap" => IsolationMode.Namespaces,
                "process" or "none" => IsolationMode.Process,
                _ => throw new BadConfigException(JupyterProvider.ProviderId,
                    $"Config key 'isolation' must be auto, namespaces or process, not '{isolationText}'."),
            },
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
