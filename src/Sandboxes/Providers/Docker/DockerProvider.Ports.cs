using System.Collections.Concurrent;
using System.Globalization;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>Ports: a local listener per sandbox port, each connection relayed by an exec inside the container.</summary>
internal sealed partial class DockerProvider
{
    private readonly ConcurrentDictionary<(string Sandbox, int Port), DockerPortForwarder> _forwarders = new();

    public override async Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        if (_forwarders.TryGetValue((sandboxId, port), out var existing))
        {
            return existing.Url;
        }

        // Published ports would need to be chosen when the container is created, and mode none (the default) cannot
        // publish at all; so every connection is relayed through the API instead, which needs a relay program inside.
        var probe = await RunHelperAsync(sandboxId, DockerScripts.RelayProbe, [], asRoot: false, cancellationToken).ConfigureAwait(false);
        if (probe.ExitCode != 0)
        {
            throw new FeatureNotSupportedException(ProviderId, Capability.Ports,
                $"PortUrl relays connections through a program inside the container, and sandbox {DockerErrors.Short(sandboxId)}'s image has " +
                "none of python3, perl or nc. Add one of them to the image.");
        }

        var portText = port.ToString(CultureInfo.InvariantCulture);
        var forwarder = new DockerPortForwarder(async token =>
        {
            var nonce = NewNonce();
            var spec = ExecSpec.Helper(DockerScripts.Relay, [portText, DockerScripts.PythonRelay, DockerScripts.PerlRelay], asRoot: false) with
            {
                Env = [$"{KitScripts.HelperVariable}=1", $"{KitScripts.ExecVariable}={nonce}"],
                Stdin = true,
            };
            var (_, connection) = await StartExecAsync(sandboxId, spec, token).ConfigureAwait(false);
            return (connection, () => KillTreeAsync(sandboxId, nonce, "KILL"));
        });
        if (!_forwarders.TryAdd((sandboxId, port), forwarder))
        {
            await forwarder.DisposeAsync().ConfigureAwait(false);
            return _forwarders[(sandboxId, port)].Url;
        }

        return forwarder.Url;
    }

    private void ClosePortsOf(string sandboxId)
    {
        foreach (var key in _forwarders.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            if (_forwarders.TryRemove(key, out var forwarder))
            {
                _ = forwarder.DisposeAsync().AsTask();
            }
        }
    }
}
