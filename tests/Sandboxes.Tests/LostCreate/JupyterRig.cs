using System.Text.Json.Nodes;
using Sandboxes.FaultInjection;
using Sandboxes.Isolation;
using Sandboxes.Providers.Jupyter;
using Sandboxes.Providers.Local;

namespace Sandboxes.Tests.LostCreate;

/// <summary>
/// A Jupyter server of the rig's own (jailed, as the jupyter target's), reached by URL and token through the proxy,
/// which carries the kernels' WebSockets too. A sandbox is a kernel, started through a session; the server lists every
/// kernel it runs.
/// </summary>
public sealed class JupyterRig : ProxiedRig
{
    private JupyterServerProcess? _server;

    /// <inheritdoc />
    protected override string Provider => "jupyter";

    /// <inheritdoc />
    protected override string CreatePath => "^/api/sessions$";

    /// <inheritdoc />
    protected override ProviderConfig DirectConfig => new() { BaseUrl = Server.Endpoint.BaseUri, ApiKey = Server.Endpoint.Token };

    private JupyterServerProcess Server => _server ?? throw new InvalidOperationException("The rig is not started.");

    /// <inheritdoc />
    protected override async Task<Uri> UpstreamAsync()
    {
        _server = await JupyterServerProcess.StartAsync(
            new JupyterOptions { Isolation = IsolationMode.Namespaces, ServerCommand = "/usr/bin/jupyter-server" }, CancellationToken.None);
        return _server.Endpoint.BaseUri;
    }

    /// <inheritdoc />
    protected override async Task StopUpstreamAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <inheritdoc />
    protected override ProviderConfig Through(FaultInjectingProxy proxy) => new() { BaseUrl = proxy.BaseUrl, ApiKey = Server.Endpoint.Token };

    /// <inheritdoc />
    /// <remarks>A sandbox's kernel is started through a session of its own; the sandbox is the kernel.</remarks>
    protected override string SandboxIdOf(JsonNode answer) => answer["kernel"]!["id"]!.GetValue<string>();
}
