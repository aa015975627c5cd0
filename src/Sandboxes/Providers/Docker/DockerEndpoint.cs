using System.Net;
using System.Net.Sockets;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Where a Docker-API engine listens: a unix socket or a plain TCP address. Opens raw connections, both for the pooled
/// <see cref="HttpClient"/> and for the hijacked exec streams that <see cref="HttpClient"/> cannot carry.
/// </summary>
internal sealed class DockerEndpoint
{
    /// <summary>The engine address used when nothing else is configured.</summary>
    public const string DefaultHost = "unix:///var/run/docker.sock";

    private DockerEndpoint(string address, string? socketPath, string? host, int port)
    {
        Address = address;
        SocketPath = socketPath;
        Host = host;
        Port = port;
        HttpBase = socketPath is null ? new Uri($"http://{FormatHost(host!)}:{port}") : new Uri("http://docker");
    }

    /// <summary>The address as configured, for messages.</summary>
    public string Address { get; }

    /// <summary>The unix socket path, or null for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>The TCP host, or null for a unix socket.</summary>
    public string? Host { get; }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>The HTTP origin requests are addressed to (a placeholder host for a unix socket).</summary>
    public Uri HttpBase { get; }

    /// <summary>Parses <c>unix:///path</c>, <c>tcp://host:port</c> or <c>http://host:port</c> (a bare absolute path is a socket).</summary>
    /// <exception cref="BadConfigException">An address the provider cannot use (TLS, ssh, named pipes, a malformed value).</exception>
    public static DockerEndpoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = address.Trim();
        if (text.StartsWith('/'))
        {
            return new DockerEndpoint(text, text, null, 0);
        }

        if (text.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["unix://".Length..];
            if (!path.StartsWith('/'))
            {
                throw Bad(address, "a unix address needs an absolute socket path, as in unix:///var/run/docker.sock");
            }

            return new DockerEndpoint(text, path, null, 0);
        }

        foreach (var scheme in new[] { "tcp://", "http://" })
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                var authority = text[scheme.Length..].TrimEnd('/');
                var host = authority;
                var port = 2375; // the engine's conventional plain-HTTP port
                var colon = authority.LastIndexOf(':');
                if (colon > authority.LastIndexOf(']'))
                {
                    host = authority[..colon];
                    if (!int.TryParse(authority[(colon + 1)..], System.Globalization.NumberStyles.None,
                            System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                    {
                        throw Bad(address, "the port must be a number between 1 and 65535");
                    }
                }

                host = host.Trim('[', ']');
                if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal))
                {
                    throw Bad(address, "a TCP address looks like tcp://host:2375");
                }

                return new DockerEndpoint(text, null, host, port);
            }
        }

        throw Bad(address, "the docker provider connects to unix:// sockets and plain tcp:// addresses; https, ssh and npipe are not supported");
    }

    /// <summary>Opens a new connection to the engine.</summary>
    /// <exception cref="ProviderException">The engine cannot be reached.</exception>
    public async ValueTask<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        Socket socket;
        EndPoint endPoint;
        if (SocketPath is not null)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            endPoint = new UnixDomainSocketEndPoint(SocketPath);
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            endPoint = new DnsEndPoint(Host!, Port);
        }

        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ProviderException(DockerProvider.ProviderId,
                $"Cannot reach the Docker engine at {Address}: {e.Message}. Is the engine running (dockerd, or `podman system service`)? " +
                "Set DOCKER_HOST or the provider's base_url to its address.", innerException: e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An <see cref="HttpClient"/> whose every connection goes to this endpoint.</summary>
    public HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            // The engine is local or on a private network: connections are cheap to keep and never need DNS refresh.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = async (_, cancellationToken) =>
                new NetworkStream(await ConnectAsync(cancellationToken).ConfigureAwait(false), ownsSocket: true),
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc />
    public override string ToString() => Address;

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    private static BadConfigException Bad(string address, string why) =>
        new(DockerProvider.ProviderId, $"'{address}' is not a Docker engine address the provider can use: {why}.");
}
