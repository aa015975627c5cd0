using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Verbs;

/// <summary><c>snapshot</c>, <c>pause</c>, <c>resume</c> and <c>port</c> against kept local sandboxes.</summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class LifecycleVerbTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task Snapshot_prints_an_id_that_run_starts_from_and_that_can_be_listed_and_deleted()
    {
        var source = await CliTool.RunAsync("run", "--keep", "-l", $"snap={Tag()}", "echo from-snapshot > /workspace/s");
        try
        {
            var snapshot = await CliTool.RunAsync("snapshot", source.SandboxId, "-n", "before");
            Assert.That(snapshot.ExitCode, Is.Zero, snapshot.ToString());
            var id = snapshot.Stdout.Trim();
            Assert.That(id, Does.Match("^snap-[a-z0-9]+$"), "stdout is the snapshot id alone");

            var list = await CliTool.RunAsync("snapshot", "--list", "--json");
            var entry = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
            Assert.That(entry.GetProperty("name").GetString(), Is.EqualTo("before"));
            Assert.That(entry.GetProperty("sandbox_id").GetString(), Is.EqualTo(source.SandboxId));
            Assert.That(entry.GetProperty("provider").GetString(), Is.EqualTo("local"));

            var restored = await CliTool.RunAsync("run", "--snapshot", id, "cat /workspace/s");
            Assert.That(restored.Stdout, Is.EqualTo("from-snapshot\n"), restored.ToString());

            var delete = await CliTool.RunAsync("snapshot", "--delete", id);
            Assert.That(delete.ExitCode, Is.Zero, delete.ToString());
            var after = await CliTool.RunAsync("snapshot", "--list", "--json");
            Assert.That(JsonDocument.Parse(after.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()), Does.Not.Contain(id));
        }
        finally
        {
            await CliTool.RunAsync("destroy", source.SandboxId);
        }
    }

    [Test]
    public async Task Pause_refuses_commands_until_resume()
    {
        var tag = Tag();
        var kept = await CliTool.RunAsync("run", "--keep", "-l", $"pause={tag}", "echo 1 > /workspace/n");
        try
        {
            var pause = await CliTool.RunAsync("pause", kept.SandboxId);
            Assert.That(pause.Stdout, Is.EqualTo($"paused {kept.SandboxId}\n"), pause.ToString());
            var status = await CliTool.RunAsync("list", "-l", $"pause={tag}", "--json");
            Assert.That(JsonDocument.Parse(status.Stdout).RootElement[0].GetProperty("status").GetString(), Is.EqualTo("paused"));

            var refused = await CliTool.RunAsync("exec", kept.SandboxId, "cat /workspace/n");
            Assert.That(refused.ExitCode, Is.EqualTo(125));
            Assert.That(refused.Stderr, Does.Contain($"sandboxes resume {kept.SandboxId}"), "the hint says how to continue");

            var resume = await CliTool.RunAsync("resume", kept.SandboxId);
            Assert.That(resume.Stdout, Is.EqualTo($"resumed {kept.SandboxId}\n"), resume.ToString());
            var after = await CliTool.RunAsync("exec", kept.SandboxId, "cat /workspace/n");
            Assert.That(after.Stdout, Is.EqualTo("1\n"));
        }
        finally
        {
            await CliTool.RunAsync("destroy", kept.SandboxId);
        }
    }

    [Test]
    public async Task Port_prints_a_url_that_reaches_the_sandboxs_server_until_ctrl_c()
    {
        var kept = await CliTool.RunAsync("run", "--keep", "-l", $"port={Tag()}",
            "echo port-test-ok > /workspace/index.html; nohup python3 -m http.server 8765 >/dev/null 2>&1 & " +
            "for i in $(seq 50); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 8765))' 2>/dev/null && break; sleep 0.1; done");
        try
        {
            using var port = CliTool.Start(["port", kept.SandboxId, "8765"]);
            var url = new Uri((await port.StandardOutput.ReadLineAsync())!);
            var note = await port.StandardError.ReadLineAsync();
            Assert.That(url.IsLoopback, Is.True);
            Assert.That(note, Does.Contain("Ctrl-C"), "it says the forward lasts while it runs");

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Assert.That(await http.GetStringAsync(url), Is.EqualTo("port-test-ok\n"));

            CliTool.Signal(port.Id, "INT");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await port.WaitForExitAsync(limit.Token);
            Assert.That(port.ExitCode, Is.Zero, "Ctrl-C is how a forward ends");
            Assert.That(async () => await http.GetStringAsync(url), Throws.InstanceOf<HttpRequestException>(), "the forward is closed");
        }
        finally
        {
            await CliTool.RunAsync("destroy", kept.SandboxId);
        }
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..8];
}
