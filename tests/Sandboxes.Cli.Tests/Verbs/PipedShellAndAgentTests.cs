using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Verbs;

/// <summary>
/// <c>shell</c> with piped input (no terminal: the script's end is the terminal's end-of-file), and the agent verbs'
/// key handling and listing, which need no agent installed.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class PipedShellAndAgentTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task A_shell_fed_from_a_pipe_runs_the_lines_and_exits_with_the_shells_code()
    {
        var result = await CliTool.RunAsync(["shell", "-q"], "echo $((6*7))\nexit 3\n", null);

        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
        Assert.That(result.Stdout, Does.Match("(?m)(^|\r)42\r?$"), "the line bash printed (after its terminal escapes)");
    }

    [Test]
    public async Task A_shell_with_an_id_attaches_and_never_destroys_the_sandbox()
    {
        var kept = await CliTool.RunAsync("run", "--keep", "-l", $"attach={Guid.NewGuid():N}", "echo here > /workspace/f");
        try
        {
            var result = await CliTool.RunAsync(["shell", kept.SandboxId, "-c", "cat /workspace/f; exit 4"], "", null);
            Assert.That(result.ExitCode, Is.EqualTo(4), result.ToString());
            Assert.That(result.Stdout, Does.Contain("here"));
            var still = await CliTool.RunAsync("exec", kept.SandboxId, "true");
            Assert.That(still.ExitCode, Is.Zero, "still there");
        }
        finally
        {
            await CliTool.RunAsync("destroy", kept.SandboxId);
        }
    }

    [TestCase("claude", "ANTHROPIC_API_KEY", "claude-code")]
    [TestCase("codex", "OPENAI_API_KEY", "codex")]
    public async Task Pass_key_without_the_key_is_a_usage_error_before_anything_is_created(string verb, string variable, string preset)
    {
        var result = await CliTool.RunAsync([verb, "--pass-key"], null, new Dictionary<string, string?> { [variable] = null });

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stderr, Does.Contain(variable).And.Contain("not set"));
        Assert.That((await CliTool.RunAsync("list", "-l", "sandboxes.agent=" + preset, "-q")).Stdout, Is.Empty, "no sandbox was created");
    }

    [Test]
    public async Task Agent_list_shows_only_that_agents_sandboxes()
    {
        var codex = await CliTool.RunAsync("run", "--keep", "-l", "sandboxes.agent=codex", "true");
        var other = await CliTool.RunAsync("run", "--keep", "-l", $"agent-test={Guid.NewGuid():N}", "true");
        try
        {
            var list = await CliTool.RunAsync("codex", "--list", "--json");
            var claude = await CliTool.RunAsync("claude", "--list", "--json");

            var ids = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
            Assert.That(ids, Does.Contain(codex.SandboxId).And.Not.Contain(other.SandboxId));
            Assert.That(JsonDocument.Parse(claude.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()),
                Does.Not.Contain(codex.SandboxId));
        }
        finally
        {
            await CliTool.RunAsync("destroy", codex.SandboxId, other.SandboxId);
        }
    }
}
