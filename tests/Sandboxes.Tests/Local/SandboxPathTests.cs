using NUnit.Framework;

namespace Sandboxes.Tests.Local;

/// <summary>
/// The sandbox's environment is the creator's to set, PATH included: a PATH that names no system directory must not
/// keep the sandbox from starting (the jail's own programs are named by their absolute paths).
/// </summary>
public sealed class SandboxPathTests
{
    [Test]
    public async Task A_sandbox_whose_environment_sets_an_odd_path_starts_and_keeps_it()
    {
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig());
        var (sandbox, info) = await client.CreateSandboxAsync(new CreateSandboxRequest
        {
            Envs = new Dictionary<string, string> { ["PATH"] = "nowhere" },
        });
        LeakCheck.Record(info.Id);
        try
        {
            var result = await sandbox.RunCommandAsync("echo \"$PATH\"");

            Assert.That(result.Stdout, Is.EqualTo("nowhere\n"));
        }
        finally
        {
            await sandbox.KillAsync();
        }
    }
}
