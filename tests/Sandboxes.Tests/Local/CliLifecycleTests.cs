using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// The command-line round trip across processes: `run --keep -l` in one process, then `list --json`, `exec` and
/// `destroy` each in another, against the real tool.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class CliLifecycleTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task Run_keep_then_list_exec_and_destroy_from_other_processes()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var run = await Cli.RunAsync("run", "--keep", "-l", $"cli={tag}", "-e", "GREETING=hi", "echo $GREETING > /workspace/g; echo made");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo("made\n"));
        var id = System.Text.RegularExpressions.Regex.Match(run.Stderr, "sbx-[a-z0-9]+").Value;
        LeakCheck.Record(id);

        var list = await Cli.RunAsync("list", "-l", $"cli={tag}", "--json");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Stderr);
        using var json = JsonDocument.Parse(list.Stdout);
        var entry = json.RootElement.EnumerateArray().Single();
        Assert.That(entry.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(entry.GetProperty("status").GetString(), Is.EqualTo("running"));
        Assert.That(entry.GetProperty("labels").GetProperty("cli").GetString(), Is.EqualTo(tag));

        var exec = await Cli.RunAsync("exec", id, "cat /workspace/g; exit 9");
        Assert.That(exec.Stdout, Is.EqualTo("hi\n"));
        Assert.That(exec.ExitCode, Is.EqualTo(9), "exec exits with the command's code");

        var destroy = await Cli.RunAsync("destroy", id);
        Assert.That(destroy.ExitCode, Is.EqualTo(0), destroy.Stderr);
        var after = await Cli.RunAsync("list", "-l", $"cli={tag}", "--json");
        Assert.That(JsonDocument.Parse(after.Stdout).RootElement.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Run_exits_with_the_commands_code_and_errors_are_one_line()
    {
        var failing = await Cli.RunAsync("run", "echo out; echo err >&2; exit 7");
        Assert.That(failing.ExitCode, Is.EqualTo(7));
        Assert.That(failing.Stdout, Is.EqualTo("out\n"));
        Assert.That(failing.Stderr, Is.EqualTo("err\n"));

        var unknown = await Cli.RunAsync("run", "-p", "no-such-provider", "true");
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(unknown.Stderr, Does.Contain("no-such-provider").And.Contain("local").And.Not.Contain("   at "));

        var timeout = await Cli.RunAsync("run", "-t", "1", "sleep 30");
        Assert.That(timeout.ExitCode, Is.EqualTo(124));
        Assert.That(timeout.Stderr, Does.Contain("timeout"));

        var missing = await Cli.RunAsync("exec", "sbx-doesnotexist", "true");
        Assert.That(missing.ExitCode, Is.EqualTo(125));
    }

    [Test]
    public async Task Destroy_all_takes_every_sandbox_matching_the_labels()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 2; i++)
        {
            var run = await Cli.RunAsync("run", "--keep", "-l", $"batch={tag}", "true");
            LeakCheck.Record(System.Text.RegularExpressions.Regex.Match(run.Stderr, "sbx-[a-z0-9]+").Value);
        }

        var destroy = await Cli.RunAsync("destroy", "--all", "-l", $"batch={tag}");

        Assert.That(destroy.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2));
        var after = await Cli.RunAsync("list", "-l", $"batch={tag}", "--json");
        Assert.That(JsonDocument.Parse(after.Stdout).RootElement.GetArrayLength(), Is.Zero);
    }
}
