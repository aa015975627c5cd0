using Sandboxes.Http;
using Sandboxes.Providers.Daytona.Api;
using Sandboxes.Providers.Daytona.Toolbox;

namespace Sandboxes.Providers.Daytona;

internal sealed partial class DaytonaProvider
{
    /// <summary>
    /// Runs a toolbox call. When it fails, the sandbox is looked at: a deleted one gives <see cref="NotFoundException"/>
    /// and a paused or stopped one <see cref="SandboxStateException"/>, whatever the proxy answered, since Daytona's proxy
    /// reports those as plain request errors.
    /// </summary>
    /// <param name="sandboxId">The sandbox.</param>
    /// <param name="call">The call, given the sandbox's toolbox client.</param>
    /// <param name="notFoundIsAnswer">True when a 404 is the call's own answer (a missing file), not a sign of a missing sandbox.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    private async Task<T> InSandboxAsync<T>(string sandboxId, Func<IDaytonaToolboxApi, Task<T>> call, bool notFoundIsAnswer,
        CancellationToken cancellationToken)
    {
        var toolbox = await ToolboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(toolbox.Client).ConfigureAwait(false);
        }
        catch (SandboxException error) when (error is not SandboxTimeoutException && !(notFoundIsAnswer && error is NotFoundException))
        {
            throw await DiagnoseAsync(sandboxId, error, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="InSandboxAsync{T}"/>
    private Task InSandboxAsync(string sandboxId, Func<IDaytonaToolboxApi, Task> call, bool notFoundIsAnswer, CancellationToken cancellationToken) =>
        InSandboxAsync<bool>(sandboxId, async client =>
        {
            await call(client).ConfigureAwait(false);
            return true;
        }, notFoundIsAnswer, cancellationToken);

    /// <summary>The error to raise for a failed toolbox call, after looking at the sandbox's state.</summary>
    private async Task<SandboxException> DiagnoseAsync(string sandboxId, SandboxException error, CancellationToken cancellationToken)
    {
        Api.Sandbox sandbox;
        try
        {
            sandbox = await GetExistingAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException gone)
        {
            _toolboxes.TryRemove(sandboxId, out _);
            return gone;
        }
        catch (SandboxException)
        {
            return error;
        }

        var status = DaytonaSandboxInfo.Status(sandbox.State);
        if (status == SandboxStatus.Paused)
        {
            return new SandboxStateException(ProviderId, sandboxId, SandboxStatus.Paused,
                $"Daytona sandbox {sandboxId} is paused ({sandbox.State}); resume it (Resume) before running commands in it.");
        }

        if (status == SandboxStatus.Stopped || status == SandboxStatus.Starting || status == SandboxStatus.Error)
        {
            return new SandboxStateException(ProviderId, sandboxId, status,
                $"Daytona sandbox {sandboxId} is not running ({sandbox.State}{(sandbox.ErrorReason is { } reason ? ": " + reason : string.Empty)}); resume it (Resume) to start it again.");
        }

        return error;
    }

    /// <summary>The toolbox of a sandbox, reached through its toolbox proxy URL (<c>{toolboxProxyUrl}/{sandboxId}</c>, as the SDKs address it).</summary>
    private async ValueTask<ToolboxEndpoint> ToolboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == StateDisposed, this);
        if (_toolboxes.TryGetValue(sandboxId, out var known))
        {
            return known;
        }

        if (string.IsNullOrWhiteSpace(sandboxId))
        {
            throw new NotFoundException(ProviderId, "A sandbox id is required.");
        }

        var proxy = await Api.GetToolboxProxyUrlAsync(sandboxId, Organization, cancellationToken).ConfigureAwait(false);
        return _toolboxes.GetOrAdd(sandboxId, id => CreateToolbox(id, proxy.Url));
    }

    /// <summary>Keeps the toolbox address of a sandbox the control plane described.</summary>
    private void Remember(Api.Sandbox sandbox)
    {
        if (!string.IsNullOrEmpty(sandbox.ToolboxProxyUrl) &&
            (!_toolboxes.TryGetValue(sandbox.Id, out var known) || known.ProxyUrl != sandbox.ToolboxProxyUrl))
        {
            _toolboxes[sandbox.Id] = CreateToolbox(sandbox.Id, sandbox.ToolboxProxyUrl);
        }
    }

    private ToolboxEndpoint CreateToolbox(string sandboxId, string proxyUrl)
    {
        if (!Uri.TryCreate(proxyUrl.TrimEnd('/') + "/" + Uri.EscapeDataString(sandboxId), UriKind.Absolute, out var baseUri))
        {
            throw new ProviderException(ProviderId, $"Daytona gave sandbox {sandboxId} an unusable toolbox proxy URL '{proxyUrl}'.");
        }

        var headers = ToolboxHeaders();
        // The toolbox spec declares no security: Daytona's SDKs send the same bearer header as to the control plane.
        var client = ProviderClients.For<IDaytonaToolboxApi>(_http, baseUri, ProviderId, DaytonaToolboxJsonContext.Default, headers: headers);
        return new ToolboxEndpoint(proxyUrl, baseUri, client, headers);
    }

    /// <summary>Headers of every toolbox request (HTTP and WebSocket).</summary>
    private Dictionary<string, string> ToolboxHeaders()
    {
        var headers = SdkHeaders();
        headers["Authorization"] = "Bearer " + _options.RequireToken();
        if (Organization is { } organization)
        {
            headers["X-Daytona-Organization-ID"] = organization;
        }

        return headers;
    }

    /// <summary>A sandbox's toolbox: its address, its generated client and the headers its WebSockets need.</summary>
    private sealed record ToolboxEndpoint(string ProxyUrl, Uri BaseUri, IDaytonaToolboxApi Client, IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>The WebSocket URL of a toolbox path (<c>ws</c> or <c>wss</c> as the proxy's scheme).</summary>
        public Uri WebSocketUri(string pathAndQuery)
        {
            var builder = new UriBuilder(BaseUri) { Scheme = BaseUri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
            var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
            builder.Path = builder.Path.TrimEnd('/') + (query < 0 ? pathAndQuery : pathAndQuery[..query]);
            builder.Query = query < 0 ? string.Empty : pathAndQuery[(query + 1)..];
            return builder.Uri;
        }
    }
}
