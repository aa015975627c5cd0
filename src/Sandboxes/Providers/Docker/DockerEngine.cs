using System.Text.Json;
using Sandboxes.Http;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// One engine as the adapter talks to it: the transport, the API version agreed with the engine (the lower of its
/// <c>Api-Version</c> and the spec's 1.55, found through <c>GET /_ping</c> or else <c>GET /version</c>), the generated
/// Refit client whose requests carry that version as their path prefix, the few calls the spec describes differently from
/// what engines do (through the same handlers, so their errors are typed alike), and exec starts over hijacked connections.
/// </summary>
internal sealed class DockerEngine : IDisposable
{
    private readonly DockerOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly SemaphoreSlim _negotiation = new(1, 1);
    private volatile Api.IDockerApi? _client;
    private HttpClient? _versioned;
    private string _versionPrefix = string.Empty;

    public DockerEngine(DockerOptions options, HttpClient? httpClient)
    {
        _options = options;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? options.Endpoint.CreateHttpClient();
    }

    /// <summary>Where the engine listens.</summary>
    public DockerEndpoint Endpoint => _options.Endpoint;

    /// <summary>The agreed API version, once negotiated.</summary>
    public string? ApiVersion { get; private set; }

    /// <summary>The Refit client, after negotiating the API version on first use.</summary>
    public async ValueTask<Api.IDockerApi> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { } ready)
        {
            return ready;
        }

        await _negotiation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is null)
            {
                var version = _options.ApiVersion ?? await NegotiateAsync(cancellationToken).ConfigureAwait(false);
                ApiVersion = version;
                _versionPrefix = "/v" + version;
                _versioned = ProviderClients.CreateHttpClient(_http, new Uri(Endpoint.HttpBase, _versionPrefix + "/"), DockerProvider.ProviderId,
                    _options.RequestTimeout);
                _client = Refit.RestService.ForGenerated<Api.IDockerApi>(_versioned, ProviderClients.Settings(Api.DockerJsonContext.Default, DockerProvider.ProviderId));
            }

            return _client;
        }
        finally
        {
            _negotiation.Release();
        }
    }

    /// <summary>Starts an exec and takes over its connection (stdin, stdout, stderr on one socket).</summary>
    public async Task<HijackedConnection> StartExecAsync(string execId, bool tty, CancellationToken cancellationToken)
    {
        await ClientAsync(cancellationToken).ConfigureAwait(false);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Api.ExecStartRequest { Detach = false, Tty = tty }, Api.DockerJsonContext.Default.ExecStartRequest);
        return await DockerHijack.PostAsync(Endpoint, $"{_versionPrefix}/exec/{Uri.EscapeDataString(execId)}/start", body, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request the generated interface does not describe as engines answer it, at the agreed version and through
    /// the same error handling; <paramref name="pathAndQuery"/> is relative to the version prefix (<c>images/create?...</c>).
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken cancellationToken)
    {
        await ClientAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content };
        return await _versioned!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Describes a path in a container (<c>HEAD /containers/{id}/archive</c>, whose answer is in a header the generated
    /// interface does not return); null when the path does not exist.
    /// </summary>
    /// <exception cref="NotFoundException">The container does not exist.</exception>
    public async Task<PathStat?> StatAsync(string containerId, string path, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Head, $"containers/{Uri.EscapeDataString(containerId)}/archive?path={Uri.EscapeDataString(path)}", null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // A HEAD answer has no body: ask again with GET to tell a missing container from a missing path.
            await EnsureContainerAsync(client, containerId, cancellationToken).ConfigureAwait(false);
            return null;
        }

        using (response)
        {
            return PathStat.FromHeader(response.Headers.TryGetValues("X-Docker-Container-Path-Stat", out var values) ? values.FirstOrDefault() : null)
                   ?? new PathStat(IsDir: false, IsSymlink: false);
        }
    }

    public void Dispose()
    {
        _versioned?.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _negotiation.Dispose();
    }

    private static async Task EnsureContainerAsync(Api.IDockerApi client, string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await client.ContainerInspectAsync(containerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException e)
        {
            throw new NotFoundException(DockerProvider.ProviderId, $"No docker sandbox has the id '{containerId}'.", e);
        }
    }

    private async Task<string> NegotiateAsync(CancellationToken cancellationToken)
    {
        string? serverVersion = null;
        try
        {
            using var ping = await _http.GetAsync(new Uri(Endpoint.HttpBase, "/_ping"), cancellationToken).ConfigureAwait(false);
            if (ping.Headers.TryGetValues("Api-Version", out var values))
            {
                serverVersion = values.FirstOrDefault()?.Trim();
            }
        }
        catch (HttpRequestException e)
        {
            throw e.InnerException as SandboxException
                  ?? new ProviderException(DockerProvider.ProviderId, $"Cannot reach the Docker engine at {Endpoint}: {e.Message}", innerException: e);
        }

        if (!DockerOptions.IsVersion(serverVersion))
        {
            // An engine (or a proxy in front of it) that leaves the header out still says its version on /version.
            using var http = ProviderClients.CreateHttpClient(_http, Endpoint.HttpBase, DockerProvider.ProviderId, _options.RequestTimeout);
            var unversioned = Refit.RestService.ForGenerated<Api.IDockerApi>(http, ProviderClients.Settings(Api.DockerJsonContext.Default, DockerProvider.ProviderId));
            serverVersion = (await unversioned.SystemVersionAsync(cancellationToken).ConfigureAwait(false)).ApiVersion;
        }

        if (!DockerOptions.IsVersion(serverVersion))
        {
            throw new ProviderException(DockerProvider.ProviderId, $"The engine at {Endpoint} does not say which Engine API version it speaks.");
        }

        if (DockerOptions.CompareVersions(serverVersion!, DockerOptions.MinimumApiVersion) < 0)
        {
            throw new ProviderException(DockerProvider.ProviderId,
                $"The engine at {Endpoint} speaks Engine API {serverVersion}; the docker provider needs {DockerOptions.MinimumApiVersion} or newer.");
        }

        return DockerOptions.CompareVersions(serverVersion!, DockerOptions.ClientApiVersion) < 0 ? serverVersion! : DockerOptions.ClientApiVersion;
    }
}
