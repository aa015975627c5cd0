using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// <see cref="NetworkPolicy.Internet"/> on the local provider, against a stand-in internet the test makes (a server on
/// 203.0.113.2, a documentation address, in a namespace of its own): it is reachable, while the host (its loopback
/// through the slirp gateway, its own addresses), a private network (10.213.7.0/24) and a cloud metadata address
/// (169.254.169.254, routed to the private namespace) are not, unless allowed. Attacked from inside as root too.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
[NonParallelizable]
public sealed class EgressTests
{
    private const string Public = "203.0.113";
    private const string Private = "10.213.7";
    private const string Metadata = "169.254.169.254";

    private StandInNetwork _internet = null!;
    private StandInNetwork _lan = null!;
    private TcpListener _hostLoopback = null!;
    private TcpListener _hostAny = null!;
    private Sandboxer _client = null!;
    private string _targets = string.Empty;

    [OneTimeSetUp]
    public void MakeNetworks()
    {
        Requires.Bubblewrap();
        Requires.Executable("slirp4netns", "slirp4netns");
        Requires.Executable("/usr/sbin/iptables-restore", "iptables");
        _internet = new StandInNetwork(Public);
        _lan = new StandInNetwork(Private, Metadata + "/32");
        var publicPort = _internet.Serve(_internet.Address, "public-ok");
        var privatePort = _lan.Serve(_lan.Address, "private-ok");
        var metadataPort = _lan.Serve(Metadata, "metadata-ok");
        _hostLoopback = Listen(IPAddress.Loopback, "host-loopback-ok");
        _hostAny = Listen(IPAddress.Any, "host-address-ok");
        var loopbackPort = ((IPEndPoint)_hostLoopback.LocalEndpoint).Port;
        var anyPort = ((IPEndPoint)_hostAny.LocalEndpoint).Port;
        // name=address:port, probed in this order.
        _targets = string.Join(' ',
            $"public={_internet.Address}:{publicPort}", $"private={_lan.Address}:{privatePort}", $"metadata={Metadata}:{metadataPort}",
            $"gateway=10.0.2.2:{loopbackPort}", $"host-link={_internet.HostAddress}:{anyPort}", $"host-lan={_lan.HostAddress}:{anyPort}");
        _client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
    }

    [OneTimeTearDown]
    public async Task Dispose()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        // slirp4netns keeps the namespace alive by itself: destroying the sandbox must stop it.
        var stacks = Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return string.Empty; } })
            .Where(c => c.Contains("slirp4netns", StringComparison.Ordinal) && c.Contains($"/proc/{Environment.ProcessId}/fd/", StringComparison.Ordinal))
            .ToList();

        _hostLoopback?.Dispose();
        _hostAny?.Dispose();
        _internet?.Dispose();
        _lan?.Dispose();
        Assert.That(stacks, Is.Empty, "slirp4netns processes outlived their sandboxes");
    }

    [Test]
    public async Task Internet_reaches_the_stand_in_internet_and_nothing_of_the_host_or_private_networks()
    {
        var reached = await ProbeAsync(new CreateSandboxRequest { Network = NetworkPolicy.Internet });

        Assert.That(reached, Is.EqualTo(new Dictionary<string, string>
        {
            ["public"] = "public-ok", ["private"] = "refused", ["metadata"] = "refused", ["gateway"] = "refused",
            ["host-link"] = "refused", ["host-lan"] = "refused",
        }));
    }

    [Test]
    public async Task None_reaches_nothing()
    {
        var reached = await ProbeAsync(new CreateSandboxRequest { Network = NetworkPolicy.None });

        Assert.That(reached.Values, Is.All.EqualTo("unreachable"), string.Join(", ", reached));
    }

    [Test]
    public async Task An_allowed_private_address_is_reached_and_the_rest_stays_blocked()
    {
        var reached = await ProbeAsync(new CreateSandboxRequest { Network = NetworkPolicy.Internet, NetworkAllow = [_lan.Address] });

        Assert.That(reached["public"], Is.EqualTo("public-ok"));
        Assert.That(reached["private"], Is.EqualTo("private-ok"));
        Assert.That(reached["metadata"], Is.EqualTo("refused"));
        Assert.That(reached["host-lan"], Is.EqualTo("refused"));
    }

    [Test]
    public async Task An_allow_list_without_internet_reaches_only_what_it_names()
    {
        var reached = await ProbeAsync(new CreateSandboxRequest { NetworkAllow = [Public + ".0/24"] });

        Assert.That(reached["public"], Is.EqualTo("public-ok"));
        Assert.That(reached["host-link"], Is.EqualTo("refused"), "the host's own address stays blocked unless the allow list names it alone");
        Assert.That(reached["private"], Is.EqualTo("refused"));
        Assert.That(reached["gateway"], Is.EqualTo("refused"));
    }

    [Test]
    public async Task Root_in_the_sandbox_cannot_change_the_filter_or_the_interface()
    {
        var (sandbox, info) = await _client.CreateSandboxAsync(new CreateSandboxRequest { Network = NetworkPolicy.Internet });
        LeakCheck.Record(info.Id);
        await using (sandbox)
        {
            var attack = await sandbox.RunCommandAsync(new RunCommandRequest(
                "for c in 'iptables -F OUTPUT' 'iptables -P OUTPUT ACCEPT' 'printf \"*filter\\n:OUTPUT ACCEPT\\nCOMMIT\\n\" | iptables-restore' 'ip6tables -F' " +
                "'ip route replace default via 10.0.2.2' 'ip addr add 10.213.7.9/24 dev tap0' 'ip link set tap0 down'; do " +
                "sh -c \"$c\" >/dev/null 2>&1 && echo \"allowed: $c\"; done; id -u") { User = "root" });
            var after = Parse((await sandbox.RunCommandAsync(ProbeCommand())).Stdout);

            Assert.That(attack.Stdout, Is.EqualTo("0\n"), "every change was refused to the sandbox's root");
            Assert.That(after["private"], Is.EqualTo("refused"));
            Assert.That(after["gateway"], Is.EqualTo("refused"));
            Assert.That(after["public"], Is.EqualTo("public-ok"));
        }
    }

    [Test]
    public async Task The_cli_asks_for_the_internet_and_allowed_targets_with_flags()
    {
        var offline = await Cli.RunAsync("run", "-q", ProbeCommand());
        var online = await Cli.RunAsync("run", "-q", "--network", "internet", ProbeCommand());
        var allowed = await Cli.RunAsync("run", "-q", "--network", "internet", "--allow", _lan.Address, ProbeCommand());
        var bad = await Cli.RunAsync("run", "--network", "everywhere", "true");

        Assert.That(Parse(offline.Stdout)["public"], Is.EqualTo("unreachable"), "no network unless asked for: " + offline.Stderr);
        Assert.That(Parse(online.Stdout)["public"], Is.EqualTo("public-ok"), online.Stderr);
        Assert.That(Parse(online.Stdout)["private"], Is.EqualTo("refused"));
        Assert.That(Parse(allowed.Stdout)["private"], Is.EqualTo("private-ok"), allowed.Stderr);
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Stderr, Does.Contain("everywhere"));
    }

    private async Task<Dictionary<string, string>> ProbeAsync(CreateSandboxRequest request)
    {
        var (sandbox, info) = await _client.CreateSandboxAsync(request);
        LeakCheck.Record(info.Id);
        await using (sandbox)
        {
            var result = await sandbox.RunCommandAsync(ProbeCommand());
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            return Parse(result.Stdout);
        }
    }

    // Each target: its marker, "refused" (the filter's reset or ICMP error), "unreachable" (no route), or "timeout".
    private string ProbeCommand() => "/usr/bin/python3 -c '" + """
        import errno, socket, sys
        for target in sys.argv[1:]:
            name, address = target.split("=")
            host, port = address.rsplit(":", 1)
            s = socket.socket(); s.settimeout(5)
            try:
                s.connect((host, int(port))); print(name, s.recv(100).decode().strip())
            except socket.timeout:
                print(name, "timeout")
            except OSError as e:
                print(name, {errno.ECONNREFUSED: "refused", errno.EHOSTUNREACH: "refused", errno.EACCES: "refused",
                             errno.ENETUNREACH: "unreachable"}.get(e.errno, "error-" + str(e.errno)))
        """ + "' " + _targets;

    private static Dictionary<string, string> Parse(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);

    private static TcpListener Listen(IPAddress address, string marker)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    using var client = await listener.AcceptTcpClientAsync();
                    await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(marker + "\n"));
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        return listener;
    }
}
