using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// TLS to a <c>tcp://</c> engine as the docker CLI sets it up: <c>DOCKER_TLS_VERIFY</c> turns it on, and
/// <c>DOCKER_CERT_PATH</c> (default <c>~/.docker</c>) holds <c>ca.pem</c>, the only authority trusted for the engine's
/// certificate, and <c>cert.pem</c>/<c>key.pem</c>, the client's own certificate.
/// </summary>
internal sealed class DockerTls
{
    private readonly X509Certificate2Collection _authority;
    private readonly X509Certificate2Collection _client;

    private DockerTls(string certPath, X509Certificate2Collection authority, X509Certificate2Collection client)
    {
        CertPath = certPath;
        _authority = authority;
        _client = client;
    }

    /// <summary>The directory the files came from, for messages.</summary>
    public string CertPath { get; }

    /// <summary>Reads the three files from <paramref name="certPath"/> (or <c>~/.docker</c>).</summary>
    /// <exception cref="BadConfigException">A file is missing or is not PEM the runtime can read.</exception>
    public static DockerTls Load(string? certPath)
    {
        var dir = certPath ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        string File(string name)
        {
            var path = Path.Combine(dir, name);
            return System.IO.File.Exists(path)
                ? path
                : throw new BadConfigException(DockerProvider.ProviderId,
                    $"TLS to the engine needs {name} in {dir} (DOCKER_CERT_PATH or the cert_path setting), and it is not there.");
        }

        try
        {
            var authority = new X509Certificate2Collection();
            authority.ImportFromPemFile(File("ca.pem"));
            using var pair = X509Certificate2.CreateFromPemFile(File("cert.pem"), File("key.pem"));
            // Exported and imported again: a key made from PEM is ephemeral, which TLS client authentication cannot use on every platform.
            var client = new X509Certificate2Collection(X509CertificateLoader.LoadPkcs12(pair.Export(X509ContentType.Pkcs12), null));
            return new DockerTls(dir, authority, client);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new BadConfigException(DockerProvider.ProviderId, $"The TLS files in {dir} cannot be read: {e.Message}");
        }
    }

    /// <summary>The client side of the handshake with <paramref name="host"/>: its certificate must chain to ca.pem alone and name the host.</summary>
    public SslClientAuthenticationOptions ClientOptions(string host)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck, // a private engine CA publishes no revocation lists
        };
        policy.CustomTrustStore.AddRange(_authority);
        return new SslClientAuthenticationOptions { TargetHost = host, ClientCertificates = _client, CertificateChainPolicy = policy };
    }
}
