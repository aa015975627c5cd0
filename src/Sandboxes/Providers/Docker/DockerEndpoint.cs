using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Where a Docker-API engine listens: a unix socket, a TCP address (plain, or TLS with <see cref="DockerTls"/>), or a
/// remote host reached through ssh. Opens raw connections, both for the pooled <see cref="HttpClient"/> and for the
/// hijacked exec streams that <see cref="HttpClient"/> cannot carry; HTTP itself always runs over them as plain HTTP.
/// </summary>
internal sealed class DockerEndpoint
{
    /// <summary>The engine address used when nothing else is configured.</summary>
    public const string DefaultHost = "unix:///var/run/docker.sock";

    private DockerEndpoint(string address, string? socketPath, string? host, int port, DockerTls? tls = null, bool ssh = false,
        string? sshUser = null, string? sshConfig = null)
    {
        Address = address;
        SocketPath = socketPath;
        Host = host;
        Port = port;
        Tls = tls;
        Ssh = ssh;
        SshUser = sshUser;
        _sshConfig = sshConfig;
        HttpBase = socketPath is null && !ssh ? new Uri($"http://{FormatHost(host!)}:{(port == 0 ? 22 : port)}") : new Uri("http://docker");
    }

    private readonly string? _sshConfig;

    /// <summary>The address as configured, for messages.</summary>
    public string Address { get; }

    /// <summary>The unix socket path, or null for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>The TCP host, or null for a unix socket.</summary>
    public string? Host { get; }

    /// <summary>The TCP port (for ssh: the ssh port, 0 for ssh's own choice).</summary>
    public int Port { get; }

    /// <summary>TLS settings for a TCP engine, or null for plain HTTP.</summary>
    public DockerTls? Tls { get; }

    /// <summary>True for an engine reached through ssh (<c>ssh://</c>).</summary>
    public bool Ssh { get; }

    /// <summary>The ssh user, or null for ssh's own choice.</summary>
    public string? SshUser { get; }

    /// <summary>The HTTP origin requests are addressed to (a placeholder host for a unix socket).</summary>
    public Uri HttpBase { get; }

    /// <summary>
    /// Parses <c>unix:///path</c>, <c>tcp://host:port</c>, <c>http://host:port</c> (a bare absolute path is a socket) or
    /// <c>ssh://[user@]host[:port]</c>.
    /// </summary>
    /// <param name="address">The address.</param>
    /// <param name="tls">TLS for a <c>tcp://</c> engine (ignored for the others, as the docker CLI does), or null.</param>
    /// <param name="sshConfig">An ssh_config file for <c>ssh://</c>, or null for the user's own.</param>
    /// <exception cref="BadConfigException">An address the provider cannot use (named pipes, a malformed value).</exception>
    public static DockerEndpoint Parse(string address, DockerTls? tls = null, string? sshConfig = null)
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

        if (text.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.AbsolutePath is not ("/" or ""))
            {
                throw Bad(address, "an ssh address looks like ssh://user@host or ssh://user@host:2222");
            }

            var user = uri.UserInfo.Length > 0 ? Uri.UnescapeDataString(uri.UserInfo) : null;
            if (user?.Contains(':', StringComparison.Ordinal) == true)
            {
                throw Bad(address, "a password in the address is not used; ssh authenticates with keys or its agent");
            }

            return new DockerEndpoint(text, null, uri.Host.Trim('[', ']'), uri.IsDefaultPort ? 0 : uri.Port, ssh: true, sshUser: user, sshConfig: sshConfig);
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

                return new DockerEndpoint(text, null, host, port, scheme == "tcp://" ? tls : null);
            }
        }

        throw Bad(address, "the docker provider connects to unix:// sockets, tcp:// addresses (TLS with DOCKER_TLS_VERIFY) and ssh://; npipe is Windows-only");
    }

    /// <summary>Opens a new connection to the engine.</summary>
    /// <exception cref="ProviderException">The engine cannot be reached, or its TLS certificate is not the expected one.</exception>
    public async ValueTask<DockerConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Ssh)
        {
            var dial = SshDialStream.Start(Host!, SshUser, Port, _sshConfig);
            return new DockerConnection(dial, dial.CloseWrite);
        }

        var socket = await ConnectSocketAsync(cancellationToken).ConfigureAwait(false);
        var network = new NetworkStream(socket, ownsSocket: true);
        // The half-close is TCP's, under TLS too (as the docker CLI does): the engine reads it as the end of stdin.
        void CloseWrite()
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone: the process ended and the engine closed the connection.
            }
        }

        if (Tls is null)
        {
            return new DockerConnection(network, CloseWrite);
        }

        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(Tls.ClientOptions(Host!), cancellationToken).ConfigureAwait(false);
            return new DockerConnection(ssl, CloseWrite);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new ProviderException(DockerProvider.ProviderId,
                $"The TLS handshake with the Docker engine at {Address} failed: {e.Message} (its certificate must chain to ca.pem in {Tls.CertPath} " +
                "and name the host; the engine must accept cert.pem).", innerException: e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask<Socket> ConnectSocketAsync(CancellationToken cancellationToken)
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
            ConnectCallback = async (_, cancellationToken) => (await ConnectAsync(cancellationToken).ConfigureAwait(false)).Stream,
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc />
    public override string ToString() => Address;

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    private static BadConfigException Bad(string address, string why) =>
        new(DockerProvider.ProviderId, $"'{address}' is not a Docker engine address the provider can use: {why}.");
}
