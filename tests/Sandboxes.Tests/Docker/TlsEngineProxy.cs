using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// A Docker engine behind TLS, as a remote <c>tcp://</c> engine with <c>--tlsverify</c> is: a listener on 127.0.0.1
/// that requires a client certificate from the test's own CA, and relays each connection to the real engine's unix
/// socket. <see cref="WriteClientFiles"/> writes what <c>DOCKER_CERT_PATH</c> holds (ca.pem, cert.pem, key.pem).
/// </summary>
public sealed class TlsEngineProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _socketPath;
    private readonly X509Certificate2 _authority;
    private readonly X509Certificate2 _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <summary>Starts relaying to the engine socket at <paramref name="socketPath"/>.</summary>
    public TlsEngineProxy(string socketPath)
    {
        _socketPath = socketPath;
        _authority = MakeAuthority("sandboxes test engine CA");
        _server = Issue(_authority, "localhost", server: true);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The port the TLS endpoint listens on (127.0.0.1; the certificate names localhost).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections that completed the handshake.</summary>
    public int Handshakes { get; private set; }

    /// <summary>Writes ca.pem, cert.pem and key.pem into <paramref name="dir"/>: this proxy's CA, or a stranger's when <paramref name="foreignAuthority"/>.</summary>
    public void WriteClientFiles(string dir, bool foreignAuthority = false)
    {
        Directory.CreateDirectory(dir);
        var authority = foreignAuthority ? MakeAuthority("someone else's CA") : _authority;
        using var client = Issue(_authority, "sandboxes-client", server: false);
        File.WriteAllText(Path.Combine(dir, "ca.pem"), authority.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "cert.pem"), client.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "key.pem"), client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _listener.Dispose();
        _stop.Dispose();
        _authority.Dispose();
        _server.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        await using var tls = new SslStream(new NetworkStream(client, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _server,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsToAuthority(certificate),
            }, _stop.Token);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            return; // refused, as an engine with --tlsverify refuses
        }

        Handshakes++;
        using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await engine.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath));
        await using var engineStream = new NetworkStream(engine, ownsSocket: false);
        // The client's half-close (TCP, under TLS) reaches the engine as its own, so stdin ends there too.
        var up = CopyAsync(tls, engineStream, () => engine.Shutdown(SocketShutdown.Send));
        var down = CopyAsync(engineStream, tls, () => client.Shutdown(SocketShutdown.Send));
        await Task.WhenAll(up, down);
    }

    private static async Task CopyAsync(Stream from, Stream to, Action endOfStream)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }

        try
        {
            endOfStream();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private bool ChainsToAuthority(X509Certificate certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(_authority);
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(presented);
    }

    private static X509Certificate2 MakeAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(name);
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        // Inside the authority's own validity, which a certificate may not outlast.
        using var issued = request.Create(authority, authority.NotBefore.AddMinutes(1), authority.NotAfter.AddMinutes(-1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is usable by the TLS stack (an ephemeral key is not, on every platform).
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
