using NUnit.Framework;
using Sandboxes.Isolation;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Security;

/// <summary>
/// A Jupyter server the provider starts runs in the same jail as a local sandbox: its kernels, and every command they
/// run, get the same refusals, and as root the same unprivileged user.
/// </summary>
[TestFixture]
[Category("Jupyter")]
public sealed class JupyterKernelProbeTests
{
    [Test]
    public async Task Every_attempt_on_the_host_from_a_kernel_is_refused()
    {
        Requires.Jupyter();
        Requires.Bubblewrap();
        var hostFile = Path.Combine(TestEnvironment.StateDir, "jupyter-host-secret-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(hostFile, "host secret");
        try
        {
            await using var client = new Sandboxer("jupyter", new ProviderConfig { Extra = new Dictionary<string, object?> { ["isolation"] = "namespaces" } });
            var (sandbox, _) = await client.CreateSandboxAsync();
            await sandbox.WriteTextAsync("/workspace/probe.sh", HostileProbe.Script);
            var result = await sandbox.RunCommandAsync(new RunCommandRequest($"sh /workspace/probe.sh {Environment.ProcessId} {hostFile}") { TimeoutSeconds = 60 });
            var results = HostileProbe.Parse(result.Stdout);

            Assert.That(results, Does.ContainKey("sysctl-core_pattern").And.ContainKey("Seccomp"), result.Stdout + result.Stderr);
            Assert.That(HostileProbe.Allowed(results), Is.Empty, result.Stdout);
            Assert.That(results["Seccomp"], Is.EqualTo("2"));
            if (LibC.GetEuid() == 0)
            {
                Assert.That(results["uid_map"], Is.EqualTo($"0 {IdentityMap.DefaultHostBase} {IdentityMap.Size}"), "the kernel's root is an unprivileged host user");
            }
        }
        finally
        {
            File.Delete(hostFile);
        }
    }
}
