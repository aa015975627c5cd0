using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// Remote engines as the docker CLI reaches them: <c>tcp://</c> with TLS (the engine's certificate checked against
/// ca.pem alone, the client's own certificate presented) and <c>ssh://user@host</c> (ssh running
/// <c>docker system dial-stdio</c> there). Both in front of the real engine of the conformance suite; stdin's end
/// (the connection's half-close) must cross each.
/// </summary>
[Category("Podman")]
public sealed class DockerRemoteEngineTests
{
    private DockerTarget _target = null!;
    private string _socket = null!;
    private readonly Dictionary<string, string> _labels = new() { ["fixture"] = "remote-" + Guid.NewGuid().ToString("N")[..8] };

    [OneTimeSetUp]
    public async Task StartEngine()
    {
        _target = ProviderTargets.All.OfType<DockerTarget>().Single();
        await _target.EnsureStartedAsync();
        _socket = new Uri(_target.Engine.DockerHost).AbsolutePath;
    }

    [Test]
    public async Task A_tls_engine_is_reached_with_the_cert_path_files_and_a_stranger_is_refused()
    {
        await using var proxy = new TlsEngineProxy(_socket);
        var certs = Directory.CreateTempSubdirectory("sandboxes-docker-tls-").FullName;
        var strangers = Directory.CreateTempSubdirectory("sandboxes-docker-tls-").FullName;
        try
        {
            proxy.WriteClientFiles(certs);
            proxy.WriteClientFiles(strangers, foreignAuthority: true);

            await RoundTripAsync(Config($"tcp://localhost:{proxy.Port}", new() { ["tls_verify"] = "1", ["cert_path"] = certs }));
            Assert.That(proxy.Handshakes, Is.GreaterThan(0));

            await using var wrongCa = new Sandboxer("docker", Config($"tcp://localhost:{proxy.Port}", new() { ["tls_verify"] = "1", ["cert_path"] = strangers }));
            Assert.That(async () => await wrongCa.ListSandboxesAsync(),
                Throws.InstanceOf<ProviderException>().With.Message.Contains("TLS handshake"), "an engine certificate from another CA is refused");

            await using var plain = new Sandboxer("docker", Config($"tcp://localhost:{proxy.Port}", []));
            Assert.That(async () => await plain.ListSandboxesAsync(), Throws.InstanceOf<SandboxException>(), "plain HTTP to a TLS engine fails");
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
            Directory.Delete(strangers, recursive: true);
        }
    }

    [Test]
    public async Task An_ssh_engine_is_reached_through_dial_stdio()
    {
        using var server = new SshEngineServer(_socket);
        try
        {
            await RoundTripAsync(Config($"ssh://root@127.0.0.1:{server.Port}", new() { ["ssh_config"] = server.SshConfig }));
        }
        catch
        {
            TestContext.Out.WriteLine("sshd: " + string.Join("\n", server.Log));
            throw;
        }
    }

    private ProviderConfig Config(string address, Dictionary<string, object?> extra)
    {
        extra["image"] = _target.Engine.Image;
        return new ProviderConfig { BaseUrl = new Uri(address), Extra = extra };
    }

    // Create, a command whose stdin ends (the half-close), a file both ways, kill: over the remote connection only.
    private async Task RoundTripAsync(ProviderConfig config)
    {
        await using var client = new Sandboxer("docker", config);
        var (sandbox, info) = await client.CreateSandboxAsync(new CreateSandboxRequest { Labels = _labels });
        await using (sandbox)
        {
            var result = await sandbox.RunCommandAsync(new RunCommandRequest("wc -c; echo done") { Stdin = "twelve bytes" });
            Assert.That(result.Stdout, Is.EqualTo("12\ndone\n"), result.Stderr);

            await sandbox.WriteFileAsync("/workspace/remote.txt", "over the wire"u8.ToArray());
            Assert.That(await sandbox.ReadFileAsync("/workspace/remote.txt"), Is.EqualTo("over the wire"u8.ToArray()));
        }

        var left = await client.ListSandboxesAsync(new ListSandboxesFilter { Labels = _labels });
        Assert.That(left.Where(s => s.Id == info.Id && s.Status == SandboxStatus.Running), Is.Empty);
    }
}
