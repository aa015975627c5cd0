using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>What a local sandbox must never see or reach: the host's private files, its services, its secrets.</summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class IsolationTests
{
    private Sandboxer _client = null!;
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task CreateSandbox()
    {
        Requires.Bubblewrap();
        _client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
        (_sandbox, var info) = await _client.CreateSandboxAsync();
        LeakCheck.Record(info.Id);
    }

    [OneTimeTearDown]
    public async Task Dispose()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    [Test]
    public async Task Host_private_files_are_invisible()
    {
        var checkout = Requires.RepositoryRoot;
        var result = await _sandbox.RunCommandAsync(
            $"cat /etc/shadow; ls /root; ls /home; ls {checkout}; ls {TestEnvironment.StateDir}; echo exit=$?");

        Assert.That(result.Stdout, Does.Not.Contain("root:"), "no shadow entries");
        Assert.That(result.Stdout, Does.Not.Contain("Sandboxes.sln"));
        Assert.That(result.Stdout, Does.Contain("exit=2").Or.Contain("exit=1"));
        Assert.That(result.Stderr, Does.Contain("No such file"));
    }

    [Test]
    public async Task The_system_is_read_only_and_tmp_is_private()
    {
        var hostMarker = Path.Combine(Path.GetTempPath(), "host-only-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(hostMarker, "host");
        try
        {
            var result = await _sandbox.RunCommandAsync($"touch /usr/x 2>&1; ls {hostMarker} 2>&1; echo tmp > /tmp/mine && cat /tmp/mine");

            Assert.That(result.Stdout, Does.Contain("Read-only file system"));
            Assert.That(result.Stdout, Does.Contain("No such file"));
            Assert.That(result.Stdout, Does.EndWith("tmp\n"));
            Assert.That(File.Exists("/tmp/mine") && File.ReadAllText("/tmp/mine") == "tmp\n", Is.False);
        }
        finally
        {
            File.Delete(hostMarker);
        }
    }

    [Test]
    public async Task Host_loopback_services_are_unreachable_by_default()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        var result = await _sandbox.RunCommandAsync(
            $"python3 -c \"import socket; s=socket.socket(); s.settimeout(2); s.connect(('127.0.0.1', {port})); print('connected')\"");

        Assert.That(result.Stdout, Does.Not.Contain("connected"));
        Assert.That(result.Stderr, Does.Contain("refused").Or.Contain("timed out").Or.Contain("unreachable"));
        Assert.That(accepted.IsCompleted, Is.False);
    }

    [Test]
    public async Task Network_all_is_an_explicit_opt_in_to_the_host_network()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (open, info) = await _client.CreateSandboxAsync(new CreateSandboxRequest { Network = NetworkPolicy.All });
        LeakCheck.Record(info.Id);
        await using (open)
        {
            var result = await open.RunCommandAsync(
                $"python3 -c \"import socket; s=socket.socket(); s.settimeout(5); s.connect(('127.0.0.1', {port})); print('connected')\"");

            Assert.That(result.Stdout, Is.EqualTo("connected\n"));
        }
    }

    [Test]
    public async Task A_symlink_to_a_host_secret_never_returns_the_host_file()
    {
        await _sandbox.RunCommandAsync("ln -sf /etc/shadow /workspace/shadow-link; ln -sf ../../../../../../etc/shadow /workspace/rel-link; " +
                                       "ln -sf /proc/1/root/etc/shadow /workspace/proc-link");

        Assert.That(async () => await _sandbox.ReadFileAsync("/workspace/shadow-link"), Throws.InstanceOf<NotFoundException>());
        Assert.That(async () => await _sandbox.ReadFileAsync("/workspace/rel-link"), Throws.InstanceOf<NotFoundException>());
        Assert.That(async () => await _sandbox.ReadFileAsync("/workspace/proc-link"), Throws.InstanceOf<SandboxException>());
    }

    [Test]
    public async Task Writing_through_a_symlink_to_a_host_path_reaches_only_the_sandboxs_read_only_etc()
    {
        var hostBefore = File.Exists("/etc/shadow") ? await File.ReadAllBytesAsync("/etc/shadow") : [];
        await _sandbox.RunCommandAsync("ln -sf /etc/shadow /workspace/write-link");

        // Resolved inside the sandbox: its /etc, which is read-only.
        Assert.That(async () => await _sandbox.WriteFileAsync("/workspace/write-link", [1, 2, 3]),
            Throws.InstanceOf<SandboxIOException>().With.Message.Contains("Read-only"));

        var hostAfter = File.Exists("/etc/shadow") ? await File.ReadAllBytesAsync("/etc/shadow") : [];
        Assert.That(hostAfter, Is.EqualTo(hostBefore), "the host's file is untouched");
        Assert.That((await _sandbox.RunCommandAsync("test -e /etc/shadow; echo $?")).Stdout, Is.EqualTo("1\n"));
    }

    [Test]
    public async Task A_symlinked_directory_cannot_lead_file_operations_out()
    {
        await _sandbox.RunCommandAsync("ln -sfn / /workspace/root-link; ln -sfn /etc /workspace/etc-link");

        // Resolved inside the sandbox: the sandbox's own /etc, which has no gshadow file.
        Assert.That(async () => await _sandbox.ReadFileAsync("/workspace/etc-link/gshadow"), Throws.InstanceOf<NotFoundException>());
        var passwd = await _sandbox.ReadTextAsync("/workspace/root-link/etc/passwd");
        Assert.That(passwd, Does.StartWith("root:x:0:0:root:/root:/bin/sh\nuser:x:1000"), "the sandbox's own users, not the host's");
        Assert.That(async () => await _sandbox.RemoveAsync("/workspace/root-link/usr"), Throws.InstanceOf<SandboxException>());
        Assert.That(Directory.Exists("/usr/bin"), Is.True);
    }

    [Test]
    public async Task Root_inside_has_no_dangerous_capabilities()
    {
        var result = await _sandbox.RunCommandAsync("mount -t tmpfs none /tmp 2>&1; grep CapEff /proc/self/status; hostname");

        Assert.That(result.Stdout, Does.Contain("permission denied").IgnoreCase.Or.Contain("must be superuser").Or.Contain("does not exist"));
        var capEff = Convert.ToUInt64(result.Stdout.Split("CapEff:")[1].Trim().Split('\n')[0], 16);
        const ulong sysAdmin = 1UL << 21;
        Assert.That(capEff & sysAdmin, Is.Zero, "CAP_SYS_ADMIN is dropped");
        Assert.That(result.Stdout, Does.Contain(_sandbox.Id), "own hostname");
    }

    [Test]
    public async Task The_host_environment_does_not_leak_in()
    {
        Environment.SetEnvironmentVariable("SANDBOXES_TEST_HOST_SECRET", "host-secret-value");
        try
        {
            var result = await _sandbox.RunCommandAsync("env");

            Assert.That(result.Stdout, Does.Not.Contain("host-secret-value"));
            Assert.That(result.Stdout, Does.Contain("PATH="));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SANDBOXES_TEST_HOST_SECRET", null);
        }
    }

    [Test]
    public async Task Host_processes_are_invisible()
    {
        var result = await _sandbox.RunCommandAsync("ls /proc | grep -E '^[0-9]+$' | wc -l; cat /proc/1/cmdline | tr '\\0' ' '");

        Assert.That(int.Parse(result.Stdout.Split('\n')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture), Is.LessThan(10));
        Assert.That(result.Stdout, Does.Not.Contain("dotnet"));
    }
}
