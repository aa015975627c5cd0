using NUnit.Framework;
using Sandboxes.Isolation;

namespace Sandboxes.Tests.Local;

/// <summary>
/// Without bubblewrap the local provider does not quietly run commands unconfined: it says what is missing and how to
/// install it. Process isolation is there when asked for by name, and then a root client's commands are not root.
/// </summary>
public sealed class FallbackTests
{
    [Test]
    public void Asking_for_namespaces_without_bubblewrap_is_a_bad_config()
    {
        var config = TestEnvironment.LocalConfig("namespaces").WithExtra("bwrap_path", "/nonexistent/bwrap");

        Assert.That(() => new Sandboxer("local", config), Throws.InstanceOf<BadConfigException>()
            .With.Message.Contains("bubblewrap"));
    }

    [Test]
    public async Task Without_bubblewrap_the_default_stops_with_what_is_missing_and_how_to_install_it()
    {
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("auto").WithExtra("bwrap_path", "/nonexistent/bwrap"));

        Assert.That(async () => await client.CreateSandboxAsync(), Throws.InstanceOf<BadConfigException>()
            .With.Message.Contains("bubblewrap was not found").And.Message.Contains("apt-get install bubblewrap").And.Message.Contains("isolation=process"));
    }

    [Test]
    public async Task Process_isolation_by_name_runs_commands_as_no_host_root_and_keeps_the_file_api_confined()
    {
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("process").WithExtra("bwrap_path", "/nonexistent/bwrap"));
        var (sandbox, info) = await client.CreateSandboxAsync();
        LeakCheck.Record(info.Id);
        var result = await sandbox.RunCommandAsync(new RunCommandRequest("echo $X; cat; id -u; grep CapBnd /proc/self/status")
        {
            Env = new Dictionary<string, string> { ["X"] = "1" }, Stdin = "in\n",
        });
        await sandbox.WriteTextAsync("/workspace/a.txt", "a");
        var listed = await sandbox.ListDirectoryAsync("/workspace");

        var lines = result.Stdout.Split('\n');
        Assert.That(lines[0..2], Is.EqualTo(new[] { "1", "in" }));
        var expectedUid = LibC.GetEuid() == 0 ? IdentityMap.DefaultHostBase : LibC.GetEuid();
        Assert.That(lines[2], Is.EqualTo(expectedUid.ToString(System.Globalization.CultureInfo.InvariantCulture)), "not host root");
        if (LibC.GetEuid() == 0)
        {
            Assert.That(lines[3], Is.EqualTo("CapBnd:\t0000000000000000"));
        }

        Assert.That(listed.Select(e => e.Name), Does.Contain("a.txt"));
        Assert.That(async () => await sandbox.ReadFileAsync("/workspace/../../../../etc/passwd"), Throws.InstanceOf<InvalidSandboxPathException>());
        await sandbox.KillAsync();
    }
}
