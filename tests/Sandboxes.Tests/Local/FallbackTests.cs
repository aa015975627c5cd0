using NUnit.Framework;

namespace Sandboxes.Tests.Local;

/// <summary>Without bubblewrap the local provider says so once and falls back; asking for namespaces then is an error.</summary>
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
    public async Task Process_isolation_runs_commands_and_keeps_the_file_api_confined()
    {
        var warnings = new List<string>();
        var previous = SandboxWarnings.Handler;
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("auto").WithExtra("bwrap_path", "/nonexistent/bwrap"));
        SandboxWarnings.Handler = warnings.Add;
        try
        {
            var (sandbox, info) = await client.CreateSandboxAsync();
            LeakCheck.Record(info.Id);
            var result = await sandbox.RunCommandAsync(new RunCommandRequest("echo $X; cat") { Env = new Dictionary<string, string> { ["X"] = "1" }, Stdin = "in" });
            await sandbox.WriteTextAsync("/workspace/a.txt", "a");
            var listed = await sandbox.ListDirectoryAsync("/workspace");

            Assert.That(result.Stdout, Is.EqualTo("1\nin"));
            Assert.That(listed.Select(e => e.Name), Does.Contain("a.txt"));
            Assert.That(async () => await sandbox.ReadFileAsync("/workspace/../../../../etc/passwd"), Throws.InstanceOf<InvalidSandboxPathException>());
            await sandbox.KillAsync();
        }
        finally
        {
            SandboxWarnings.Handler = previous;
        }

        // Said once per process: this test may or may not be the first to trigger it, so check the wording only if it fired.
        Assert.That(warnings, Has.All.Contains("process isolation"));
    }
}
