using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Verbs;

/// <summary>
/// <c>run --reuse</c> finds the sandbox a <c>run --keep</c> left (get-or-create by labels), <c>list</c> prints the
/// documented JSON shape and bare ids with <c>-q</c>, and <c>destroy --all -l</c> takes exactly the matching ones.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class ReuseAndListTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task Reuse_finds_the_kept_sandbox_by_its_labels()
    {
        var tag = Tag();
        var kept = await CliTool.RunAsync("run", "--keep", "-l", $"project={tag}", "-l", "role=build", "echo state > /workspace/s; echo made");
        Assert.That(kept.ExitCode, Is.Zero, kept.ToString());
        Assert.That(kept.Stderr, Does.Contain($"kept sandbox {kept.SandboxId}"));

        var reused = await CliTool.RunAsync("run", "--reuse", "-l", $"project={tag}", "-e", "WHO=again", "cat /workspace/s; echo $WHO");
        Assert.That(reused.ExitCode, Is.Zero, reused.ToString());
        Assert.That(reused.Stdout, Is.EqualTo("state\nagain\n"), "the same sandbox, with this run's -e");
        Assert.That(reused.Stderr, Does.Contain($"reusing sandbox {kept.SandboxId}"));

        var quiet = await CliTool.RunAsync("run", "--reuse", "-q", "-l", $"project={tag}", "true");
        Assert.That(quiet.Stderr, Is.Empty, "--quiet prints no notes");

        var list = await CliTool.RunAsync("list", "-l", $"project={tag}", "-q");
        Assert.That(list.Stdout, Is.EqualTo(kept.SandboxId + "\n"), "reuse kept the sandbox and made no other");
        await CliTool.RunAsync("destroy", kept.SandboxId);
    }

    [Test]
    public async Task Reuse_with_no_match_creates_a_sandbox_and_keeps_it()
    {
        var tag = Tag();
        var first = await CliTool.RunAsync("run", "--reuse", "-l", $"fresh={tag}", "echo 1 > /workspace/n");
        var second = await CliTool.RunAsync("run", "--reuse", "-l", $"fresh={tag}", "cat /workspace/n");

        Assert.That(first.Stderr, Does.Contain($"kept sandbox {first.SandboxId}"));
        Assert.That(second.Stdout, Is.EqualTo("1\n"));
        Assert.That(second.SandboxId, Is.EqualTo(first.SandboxId));
        await CliTool.RunAsync("destroy", first.SandboxId);
    }

    [Test]
    public async Task List_json_has_the_documented_shape()
    {
        var tag = Tag();
        var kept = await CliTool.RunAsync("run", "--keep", "-l", $"shape={tag}", "true");

        var list = await CliTool.RunAsync("list", "-l", $"shape={tag}", "--json");

        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        var entry = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single();
        Assert.That(entry.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "id", "provider", "name", "status", "template", "started_at", "expires_at", "labels", "cpus", "memory_mb",
        }));
        Assert.That(entry.GetProperty("id").GetString(), Is.EqualTo(kept.SandboxId));
        Assert.That(entry.GetProperty("provider").GetString(), Is.EqualTo("local"));
        Assert.That(entry.GetProperty("status").GetString(), Is.EqualTo("running"));
        Assert.That(entry.GetProperty("labels").GetProperty("shape").GetString(), Is.EqualTo(tag));
        Assert.That(DateTimeOffset.Parse(entry.GetProperty("started_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(5)));
        await CliTool.RunAsync("destroy", kept.SandboxId);
    }

    [Test]
    public async Task List_prints_a_table_and_destroy_all_takes_only_the_matching_labels()
    {
        var tag = Tag();
        var a = await CliTool.RunAsync("run", "--keep", "-l", $"batch={tag}", "-l", "n=1", "true");
        var b = await CliTool.RunAsync("run", "--keep", "-l", $"batch={tag}", "-l", "n=2", "true");

        var table = await CliTool.RunAsync("list", "-l", $"batch={tag}");
        var lines = table.Stdout.TrimEnd().Split('\n');
        Assert.That(lines[0], Does.Match("^ID +PROVIDER +NAME +STATUS +STARTED +EXPIRES +LABELS$"), "headers; no padding after the last column in a pipe");
        Assert.That(lines.Skip(1).Select(l => l.Split(' ')[0]), Is.EquivalentTo(new[] { a.SandboxId, b.SandboxId }));
        Assert.That(table.Stdout, Does.Not.Contain("\u001b["), "no colours in a pipe");

        var destroy = await CliTool.RunAsync("destroy", "--all", "-l", $"batch={tag}", "-l", "n=2");
        Assert.That(destroy.Stdout, Is.EqualTo($"destroyed {b.SandboxId}\n"));
        var rest = await CliTool.RunAsync("destroy", "--all", "-l", $"batch={tag}");
        Assert.That(rest.Stdout, Is.EqualTo($"destroyed {a.SandboxId}\n"));
        var none = await CliTool.RunAsync("list", "-l", $"batch={tag}");
        Assert.That(none.Stdout, Is.Empty);
        Assert.That(none.Stderr, Is.EqualTo("No sandboxes.\n"));
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..8];
}
