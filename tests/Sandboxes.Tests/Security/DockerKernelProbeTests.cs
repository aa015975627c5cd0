using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Security;

/// <summary>
/// The same probes in a container of the docker provider, on the engine the tests run (podman with its defaults). The
/// provider adds nothing to the engine's confinement, so this reports what the engine gives (in the test's output)
/// and holds it to what Docker's defaults promise: a seccomp filter, read-only kernel settings, masked kernel files,
/// no mounts, nothing of the host's processes. Podman's profile is looser than the local provider's filter (it lets a
/// container make user namespaces, and call keyctl, setns, unshare), and with a rootful engine and no user namespace
/// remapping the container's root is host root: SECURITY.md says so.
/// </summary>
[TestFixture]
[Category("Podman")]
public sealed class DockerKernelProbeTests
{
    [Test]
    public async Task The_engines_defaults_refuse_what_dockers_default_profile_refuses()
    {
        var target = ProviderTargets.All.OfType<DockerTarget>().Single();
        await target.EnsureStartedAsync();
        await using var client = new Sandboxer(target.Provider, target.Config);
        var (sandbox, info) = await client.CreateSandboxAsync(target.CreateRequest);
        LeakCheck.Record(info.Id);
        await sandbox.WriteTextAsync("/workspace/probe.sh", HostileProbe.Script);
        var result = await sandbox.RunCommandAsync(new RunCommandRequest($"sh /workspace/probe.sh {Environment.ProcessId} /etc/host-only-{Guid.NewGuid():N}") { TimeoutSeconds = 60 });
        var results = HostileProbe.Parse(result.Stdout);
        foreach (var (name, value) in results.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            TestContext.Out.WriteLine($"docker/podman probe: {name}: {value}");
        }

        Assert.That(results, Does.ContainKey("sysctl-core_pattern"), result.Stdout + result.Stderr);
        Assert.That(results["Seccomp"], Is.EqualTo("2"), "the engine's seccomp filter");
        foreach (var name in new[]
                 {
                     "sysctl-core_pattern", "sysctl-modprobe", "sysctl-drop_caches", "read-kallsyms-addresses", "read-keys", "mount", "unshare-mount",
                     "unshare-net", "signal-host-process", "proc-1-root-host-file", "host-file", "syscall-kexec_load", "syscall-init_module",
                     "syscall-bpf", "syscall-perf_event_open", "syscall-reboot", "ptrace-host-process",
                 })
        {
            Assert.That(results.GetValueOrDefault(name), Is.EqualTo("refused"), name);
        }
    }
}
