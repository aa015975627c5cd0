using NUnit.Framework;
using Sandboxes.Isolation;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Security;

/// <summary>
/// A local sandbox attacked from inside, by a client of this process's user (root in CI, where the hole was found): no
/// kernel setting, kernel secret, refused system call, mount, namespace, host process or host file is reachable, and
/// the sandbox's root is not host root.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class LocalKernelProbeTests
{
    private Sandboxer _client = null!;
    private Sandbox _sandbox = null!;
    private string _hostFile = null!;
    private string _output = null!;
    private Dictionary<string, string> _results = null!;

    [OneTimeSetUp]
    public async Task AttackFromInside()
    {
        Requires.Bubblewrap();
        _hostFile = Path.Combine(TestEnvironment.StateDir, "host-secret-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(_hostFile, "host secret");
        _client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
        (_sandbox, var info) = await _client.CreateSandboxAsync();
        LeakCheck.Record(info.Id);
        await _sandbox.WriteTextAsync("/workspace/probe.sh", HostileProbe.Script);
        var result = await _sandbox.RunCommandAsync(new RunCommandRequest($"sh /workspace/probe.sh {Environment.ProcessId} {_hostFile}") { TimeoutSeconds = 60 });
        _output = result.Stdout + result.Stderr;
        _results = HostileProbe.Parse(result.Stdout);
    }

    [OneTimeTearDown]
    public async Task Dispose()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        File.Delete(_hostFile);
    }

    [Test]
    public void Every_attempt_on_the_host_is_refused()
    {
        Assert.That(_results, Does.ContainKey("sysctl-core_pattern").And.ContainKey("mount").And.ContainKey("host-file"), _output);
        if (HostileProbe.KnowsThisArchitecture)
        {
            Assert.That(_results, Does.ContainKey("syscall-kexec_load").And.ContainKey("ptrace-host-process"), _output);
        }

        Assert.That(HostileProbe.Allowed(_results), Is.Empty, _output);
    }

    [Test]
    public void The_kernels_settings_stay_as_they_were()
    {
        // The probe writes back the value it read; a write that went through would still show in the probe's result,
        // and the host's value must be the one it had.
        Assert.That(File.ReadAllText("/proc/sys/kernel/core_pattern"), Does.Not.Contain("/workspace"));
        Assert.That(_results["sysctl-core_pattern"], Is.EqualTo("refused"));
        Assert.That(_results["sysctl-drop_caches"], Is.EqualTo("refused"));
    }

    [Test]
    public void The_filter_no_new_privileges_and_the_bounding_set_hold()
    {
        Assert.That(_results["Seccomp"], Is.EqualTo("2"), "a seccomp filter is loaded");
        Assert.That(_results["NoNewPrivs"], Is.EqualTo("1"));
        // Root keeps the list JailCapabilities names; a client that is not root leaves the sandbox none.
        ulong kept = 0;
        if (LibC.GetEuid() == 0)
        {
            foreach (var name in JailCapabilities.Kept)
            {
                kept |= 1UL << CapabilityNumbers[name];
            }
        }

        Assert.That(HostileProbe.BoundingSet(_results), Is.EqualTo(kept));
    }

    [Test]
    public void The_sandboxs_root_is_an_unprivileged_host_user()
    {
        if (LibC.GetEuid() != 0)
        {
            Assert.That(_results["uid"], Is.EqualTo(LibC.GetEuid().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return;
        }

        Assert.That(_results["uid"], Is.EqualTo("0"), "root inside");
        Assert.That(_results["uid_map"], Is.EqualTo($"0 {IdentityMap.DefaultHostBase} {IdentityMap.Size}"), "an unprivileged range outside");
        var processes = Directory.EnumerateDirectories("/proc").Where(d => File.Exists(Path.Combine(d, "environ")))
            .Where(d => SafeRead(Path.Combine(d, "environ")).Contains("SANDBOX_ID=" + _sandbox.Id + "\0", StringComparison.Ordinal))
            .ToList();
        Assert.That(processes, Is.Not.Empty);
        foreach (var process in processes)
        {
            // A process may end between the two reads (a short-lived command of the sandbox): nothing to check then.
            if (SafeRead(Path.Combine(process, "status")).Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) is not { } uids)
            {
                continue;
            }

            Assert.That(uids.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1), Has.All.Not.EqualTo("0"), $"{process}: {uids}");
        }
    }

    [Test]
    public async Task Files_belong_to_the_sandboxs_users_on_the_host_and_inside()
    {
        var root = LibC.GetEuid() == 0;
        await _sandbox.RunCommandAsync("echo made-inside > /workspace/inside.txt");
        await _sandbox.WriteTextAsync("/workspace/api.txt", "made by the client");
        await _sandbox.WriteTextAsync("/tmp/api-tmp.txt", "in the sandbox's own tmpfs");
        if (root)
        {
            await _sandbox.WriteFileAsync("/workspace/user.txt", "for user"u8.ToArray(), user: "user");
        }

        var owners = await _sandbox.RunCommandAsync("stat -c '%n %u' /workspace/inside.txt /workspace/api.txt /tmp/api-tmp.txt; " +
                                                    "[ -e /workspace/user.txt ] && stat -c '%n %u' /workspace/user.txt; echo more >> /workspace/api.txt");

        var self = root ? "0" : LibC.GetEuid().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(owners.Stdout, Is.EqualTo($"/workspace/inside.txt {self}\n/workspace/api.txt {self}\n/tmp/api-tmp.txt {self}\n" +
                                              (root ? "/workspace/user.txt 1000\n" : string.Empty)), owners.Stderr);
        Assert.That(owners.ExitCode, Is.Zero, "the sandbox's root may write a file the client wrote");
        var workspace = Path.Combine(TestEnvironment.StateDir, "local", "sandboxes", _sandbox.Id, "root", "workspace");
        var hostRoot = root ? (uint)IdentityMap.DefaultHostBase : (uint)LibC.GetEuid();
        Assert.That(HostOwner(Path.Combine(workspace, "inside.txt")), Is.EqualTo(hostRoot));
        Assert.That(HostOwner(Path.Combine(workspace, "api.txt")), Is.EqualTo(hostRoot));
    }

    // Capability numbers of the kernel (linux/capability.h) for the names JailCapabilities keeps.
    private static readonly Dictionary<string, int> CapabilityNumbers = new(StringComparer.Ordinal)
    {
        ["CAP_CHOWN"] = 0, ["CAP_DAC_OVERRIDE"] = 1, ["CAP_FOWNER"] = 3, ["CAP_FSETID"] = 4, ["CAP_KILL"] = 5, ["CAP_SETGID"] = 6,
        ["CAP_SETUID"] = 7, ["CAP_NET_BIND_SERVICE"] = 10,
    };

    private static uint HostOwner(string path) =>
        LibC.Statx(-100, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) == 0 ? st.Uid : throw new FileNotFoundException(path);

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
