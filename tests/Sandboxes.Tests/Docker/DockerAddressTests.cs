using NUnit.Framework;
using Sandboxes.Providers.Docker;
using Sandboxes.Remote;

namespace Sandboxes.Tests.Docker;

/// <summary>Engine addresses (DOCKER_HOST and base_url), container paths and users.</summary>
public sealed class DockerAddressTests
{
    [TestCase("unix:///var/run/docker.sock", "/var/run/docker.sock", null, 0)]
    [TestCase("/run/podman/podman.sock", "/run/podman/podman.sock", null, 0)]
    [TestCase("tcp://10.0.0.5:2376", null, "10.0.0.5", 2376)]
    [TestCase("tcp://engine.internal", null, "engine.internal", 2375)]
    [TestCase("http://127.0.0.1:8080/", null, "127.0.0.1", 8080)]
    [TestCase("tcp://[::1]:2375", null, "::1", 2375)]
    public void Engine_addresses_are_parsed(string address, string? socket, string? host, int port)
    {
        var endpoint = DockerEndpoint.Parse(address);

        Assert.That(endpoint.SocketPath, Is.EqualTo(socket));
        Assert.That(endpoint.Host, Is.EqualTo(host));
        Assert.That(endpoint.Port, Is.EqualTo(port));
    }

    [TestCase("https://engine:2376")]
    [TestCase("ssh://user:secret@engine")]
    [TestCase("ssh://engine/some/path")]
    [TestCase("npipe:////./pipe/docker_engine")]
    [TestCase("unix://relative.sock")]
    [TestCase("tcp://engine:notaport")]
    public void Addresses_the_provider_cannot_use_are_bad_config(string address)
    {
        Assert.That(() => DockerEndpoint.Parse(address), Throws.InstanceOf<BadConfigException>().With.Message.Contains(address));
    }

    [TestCase("ssh://user@engine", "user", "engine", 0)]
    [TestCase("ssh://engine:2222", null, "engine", 2222)]
    [TestCase("ssh://deploy@[::1]:22", "deploy", "::1", 22)]
    public void Ssh_addresses_are_parsed(string address, string? user, string host, int port)
    {
        var endpoint = DockerEndpoint.Parse(address);

        Assert.That(endpoint.Ssh, Is.True);
        Assert.That(endpoint.SshUser, Is.EqualTo(user));
        Assert.That(endpoint.Host, Is.EqualTo(host));
        Assert.That(endpoint.Port, Is.EqualTo(port));
    }

    [Test]
    public void Tls_needs_the_cert_path_files_and_applies_to_tcp_only()
    {
        var empty = Directory.CreateTempSubdirectory("sandboxes-no-certs-").FullName;
        try
        {
            Assert.That(() => DockerOptions.From(new ProviderConfig
                {
                    BaseUrl = new Uri("tcp://engine:2376"),
                    Extra = new Dictionary<string, object?> { ["tls_verify"] = "1", ["cert_path"] = empty },
                }),
                Throws.InstanceOf<BadConfigException>().With.Message.Contains("ca.pem").And.Message.Contains(empty));
            var off = DockerOptions.From(new ProviderConfig
            {
                BaseUrl = new Uri("tcp://engine:2375"), Extra = new Dictionary<string, object?> { ["tls_verify"] = "0", ["cert_path"] = empty },
            });
            Assert.That(off.Endpoint.Tls, Is.Null, "0 turns TLS off, as for the docker CLI's --tlsverify=false");
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Test]
    public void The_configured_base_url_wins_and_a_pinned_version_is_checked()
    {
        var options = DockerOptions.From(new ProviderConfig
        {
            BaseUrl = new Uri("unix:///tmp/engine.sock"),
            Extra = new Dictionary<string, object?> { ["api_version"] = "v1.43", ["image"] = "python:3.12" },
        });

        Assert.That(options.Endpoint.SocketPath, Is.EqualTo("/tmp/engine.sock"));
        Assert.That(options.ApiVersion, Is.EqualTo("1.43"));
        Assert.That(options.DefaultImage, Is.EqualTo("python:3.12"));
        Assert.That(() => DockerOptions.From(new ProviderConfig { Extra = new Dictionary<string, object?> { ["api_version"] = "latest" } }),
            Throws.InstanceOf<BadConfigException>());
    }

    [TestCase("data.txt", "/workspace/data.txt")]
    [TestCase("/a/./b//c/", "/a/b/c")]
    [TestCase("/a/b/../c", "/a/c")]
    [TestCase("/", "/")]
    public void Paths_are_normalised_below_the_root(string path, string expected)
    {
        Assert.That(DockerPath.Normalize(path), Is.EqualTo(expected));
    }

    [Test]
    public void A_path_climbing_above_the_root_is_refused()
    {
        Assert.That(() => DockerPath.Normalize("/workspace/../../etc"), Throws.InstanceOf<InvalidSandboxPathException>());
    }

    [Test]
    public void Users_are_looked_up_in_the_containers_passwd()
    {
        var passwd = new PasswdFile("root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/bash\nbroken line\n");

        Assert.That(passwd.Find("user"), Is.EqualTo((1000, 1000)));
        Assert.That(passwd.Find("nobody"), Is.Null);
        Assert.That(passwd.NameOf(0), Is.EqualTo("root"));
        Assert.That(passwd.NameOf(4242), Is.EqualTo("4242"));
        Assert.That(PasswdFile.IsNumeric("1000:1000"), Is.True);
        Assert.That(PasswdFile.IsNumeric("user"), Is.False);
    }
}
