using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Verbs;

/// <summary>
/// The documented exit codes, each produced for real: the command's own code for run and exec, 2 for usage and
/// configuration, 124 for a timeout, 125 for a provider error, 130 and 143 for Ctrl-C and SIGTERM (after cleaning up);
/// and every error is one line with no stack trace.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class ExitCodeTests
{
    [OneTimeSetUp]
    public void Check() => Requires.Bubblewrap();

    [Test]
    public async Task Run_and_exec_exit_with_the_commands_own_code()
    {
        var run = await CliTool.RunAsync("run", "echo out; echo err >&2; exit 42");
        Assert.That(run.ExitCode, Is.EqualTo(42));
        Assert.That(run.Stdout, Is.EqualTo("out\n"));
        Assert.That(run.Stderr, Is.EqualTo("err\n"), "no notes of the tool's own without --keep");

        var tag = Tag();
        var kept = await CliTool.RunAsync("run", "--keep", "-l", $"exit={tag}", "true");
        var exec = await CliTool.RunAsync("exec", kept.SandboxId, "exit 9");
        await CliTool.RunAsync("destroy", kept.SandboxId);
        Assert.That(exec.ExitCode, Is.EqualTo(9));
    }

    [TestCase(new[] { "list", "--no-such-option" }, "list")]
    [TestCase(new[] { "exec" }, "exec")]
    [TestCase(new[] { "completion", "fish" }, "completion")]
    public async Task A_usage_error_exits_2_and_points_at_the_verbs_help(string[] args, string verb)
    {
        var result = await CliTool.RunAsync(args);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stderr, Does.Contain($"Try 'sandboxes {verb} --help'."));
        Assert.That(result.Stdout, Is.Empty);
    }

    [TestCase(new[] { "run", "-p", "no-such-provider", "true" }, "no-such-provider")]
    [TestCase(new[] { "run", "--reuse", "echo hi" }, "-l KEY=VALUE")]
    [TestCase(new[] { "run", "--kep", "echo hi" }, "Unknown option '--kep'")]
    [TestCase(new[] { "exec", "sbx-x", "--bogus" }, "--bogus")]
    [TestCase(new[] { "run", "-e", "NOEQUALS", "true" }, "KEY=VALUE")]
    [TestCase(new[] { "destroy" }, "--all")]
    [TestCase(new[] { "shell", "sbx-x", "-n", "x" }, "not both")]
    [TestCase(new[] { "snapshot" }, "--list")]
    [TestCase(new[] { "run", "--preset", "no-such-preset", "true" }, "Known presets")]
    public async Task A_bad_value_exits_2_with_one_line_saying_what_to_do(string[] args, string hint)
    {
        var result = await CliTool.RunAsync(args);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
        Assert.That(result.Stderr, Does.StartWith("sandboxes: ").And.Contain(hint).And.Not.Contain("   at "));
    }

    [Test]
    public async Task A_malformed_config_file_exits_2_naming_the_file()
    {
        var config = Path.Combine(CliTestEnvironment.StateDir, "bad-config-" + Tag() + ".json");
        await File.WriteAllTextAsync(config, "{ \"defaultProvider\": \"local\",\n  \"providers\": [ nonsense ] }");

        var result = await CliTool.RunAsync(["list"], null, new Dictionary<string, string?> { ["SANDBOXES_CONFIG"] = config });

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stderr, Does.Contain(config));
    }

    [Test]
    public async Task A_timeout_exits_124_and_a_missing_sandbox_125()
    {
        var timeout = await CliTool.RunAsync("run", "-t", "1", "sleep 30");
        Assert.That(timeout.ExitCode, Is.EqualTo(124), timeout.ToString());
        Assert.That(timeout.Stderr, Does.Contain("-t/--timeout"));

        var missing = await CliTool.RunAsync("exec", "sbx-doesnotexist", "true");
        Assert.That(missing.ExitCode, Is.EqualTo(125), missing.ToString());
        Assert.That(missing.Stderr, Does.Contain("sandboxes list"));

        var unsupported = await CliTool.RunAsync("run", "--image", "python:3.12-slim", "true");
        Assert.That(unsupported.ExitCode, Is.EqualTo(125), unsupported.ToString());
        Assert.That(unsupported.Stderr, Does.Contain("sandboxes providers"));
    }

    [TestCase("INT", 130, "interrupted")]
    [TestCase("TERM", 143, "terminated")]
    public async Task A_signal_ends_run_with_128_plus_its_number_after_destroying_the_sandbox(string signal, int code, string said)
    {
        var tag = Tag();
        using var process = CliTool.Start(["run", "-l", $"signal={tag}", "echo started; sleep 60"]);
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(await process.StandardOutput.ReadLineAsync(), Is.EqualTo("started"));

        CliTool.Signal(process.Id, signal);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);

        Assert.That(process.ExitCode, Is.EqualTo(code));
        Assert.That(await stderr, Does.Contain("sandboxes: " + said));
        var left = await CliTool.RunAsync("list", "-l", $"signal={tag}", "--json");
        Assert.That(JsonDocument.Parse(left.Stdout).RootElement.GetArrayLength(), Is.Zero, "the run's sandbox was destroyed");
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..8];
}
