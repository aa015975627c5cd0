using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>Local sandboxes outlive the process that created them and are usable from any other process.</summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class PersistenceTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task A_kept_sandbox_survives_its_creator_and_is_used_and_destroyed_from_elsewhere()
    {
        // The creator is another process that exits right away.
        var id = await CreateInChildProcessAsync();
        LeakCheck.Record(id);

        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig());
        var listed = await client.ListSandboxesAsync(new ListSandboxesFilter { Labels = new Dictionary<string, string> { ["made-by"] = "child" } });
        Assert.That(listed.Select(i => i.Id), Does.Contain(id));
        Assert.That(listed.Single(i => i.Id == id).Status, Is.EqualTo(SandboxStatus.Running));

        var sandbox = await client.AttachSandboxAsync(id);
        var result = await sandbox.RunCommandAsync("cat /workspace/from-child; echo $CHILD_ENV");
        Assert.That(result.Stdout, Is.EqualTo("child wrote this\nyes\n"));

        await client.KillSandboxAsync(id);
        Assert.That(async () => await client.AttachSandboxAsync(id), Throws.InstanceOf<NotFoundException>());
    }

    [Test]
    public async Task A_background_command_keeps_running_after_its_client_is_gone()
    {
        await using var first = new Sandboxer("local", TestEnvironment.LocalConfig());
        var (sandbox, info) = await first.CreateSandboxAsync(new CreateSandboxRequest { Keep = true });
        LeakCheck.Record(info.Id);
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("sleep 1; echo survived"));
        await first.DisposeAsync();

        await using var second = new Sandboxer("local", TestEnvironment.LocalConfig());
        var again = await second.AttachSandboxAsync(info.Id);
        var result = await again.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.Stdout, Is.EqualTo("survived\n"));
        await second.KillSandboxAsync(info.Id);
    }

    private static async Task<string> CreateInChildProcessAsync()
    {
        // The creator is the real command-line tool, in its own process, which exits once the command has run.
        var result = await Cli.RunAsync("run", "--keep", "-l", "made-by=child", "-e", "CHILD_ENV=yes", "--",
            "echo child wrote this > /workspace/from-child; echo $SANDBOX_ID >&2");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        return System.Text.RegularExpressions.Regex.Match(result.Stderr, "sbx-[a-z0-9]+").Value;
    }
}
