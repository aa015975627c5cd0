using System.Text;
using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>Running commands to completion: output, exit codes, environment, working directory, stdin, timeouts.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class CommandTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task Stdout_stderr_and_exit_code_are_kept_apart()
    {
        var result = await Run("echo hello; echo oops >&2; exit 3");

        Assert.That(result.Stdout, Is.EqualTo("hello\n"));
        Assert.That(result.Stderr, Is.EqualTo("oops\n"));
        Assert.That(result.ExitCode, Is.EqualTo(3));
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Duration, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task Default_working_directory_is_the_workspace()
    {
        var result = await Run("pwd");

        Assert.That(result.Stdout, Is.EqualTo("/workspace\n"));
    }

    [Test]
    public async Task Cwd_env_and_stdin_reach_the_command()
    {
        await Call(() => Sandbox.MakeDir("/workspace/sub"), () => Sandbox.MakeDirAsync("/workspace/sub"));

        var result = await Run(new RunCommandRequest("pwd; echo \"$X\"; cat")
        {
            Cwd = "/workspace/sub",
            Env = new Dictionary<string, string> { ["X"] = "it's \"quoted\" $HOME" },
            TimeoutSeconds = 20,
            Stdin = "input",
        });

        Assert.That(result.Stdout, Is.EqualTo("/workspace/sub\nit's \"quoted\" $HOME\ninput"));
    }

    [Test]
    public async Task Sandbox_environment_is_seen_by_every_command()
    {
        if (!Supports(Capability.Environment))
        {
            return;
        }

        var sandbox = await CreateAsync(new CreateSandboxRequest { Envs = new Dictionary<string, string> { ["MODE"] = "test" } });

        var result = await Run("echo $MODE", sandbox);

        Assert.That(result.Stdout, Is.EqualTo("test\n"));
    }

    [Test]
    public async Task Missing_working_directory_is_a_clear_error()
    {
        Assert.That(async () => await Run(new RunCommandRequest("pwd") { Cwd = "/workspace/does-not-exist" }),
            Throws.InstanceOf<SandboxException>().With.Message.Contains("does-not-exist"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_command_that_outlives_its_timeout_is_killed_with_its_children()
    {
        var marker = TestPath("late");
        var started = DateTime.UtcNow;

        var error = Assert.CatchAsync<SandboxTimeoutException>(async () => await Run(new RunCommandRequest(
            $"echo started; (sleep 2; echo late > {marker}) & sleep 30") { TimeoutSeconds = 1 }));

        Assert.That(error!.Timeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(error.PartialStdout, Is.EqualTo("started\n"));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)));
        await Task.Delay(2500);
        var exists = await Call(() => Sandbox.Exists(marker), () => Sandbox.ExistsAsync(marker));
        Assert.That(exists, Is.False, "the background child of the timed-out command must have been killed too");
    }

    [Test]
    public async Task Large_output_arrives_whole()
    {
        var result = await Run("head -c 3000000 /dev/zero | tr '\\0' 'x'; echo; echo end >&2");

        Assert.That(result.Stdout.Length, Is.EqualTo(3_000_001));
        Assert.That(result.Stdout.TrimEnd('\n'), Does.Match("^x+$"));
        Assert.That(result.Stderr, Is.EqualTo("end\n"));
    }

    [Test]
    public async Task Unicode_output_is_decoded()
    {
        var result = await Run("printf 'h\\303\\251llo \\342\\202\\254 \\360\\237\\230\\200\\n'");

        Assert.That(result.Stdout, Is.EqualTo("héllo € 😀\n"));
    }

    [Test]
    public async Task Heredocs_and_quotes_pass_through_unchanged()
    {
        var result = await Run("cat <<'EOF'\nline $one\n'two' \"three\"\nEOF");

        Assert.That(result.Stdout, Is.EqualTo("line $one\n'two' \"three\"\n"));
    }

    [Test]
    public async Task Callbacks_receive_output_as_it_is_produced()
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var result = await Run(new RunCommandRequest("echo a; echo b >&2; echo c")
        {
            OnStdout = text => { lock (stdout) { stdout.Append(text); } },
            OnStderr = text => { lock (stderr) { stderr.Append(text); } },
        });

        Assert.That(stdout.ToString(), Is.EqualTo("a\nc\n"));
        Assert.That(stderr.ToString(), Is.EqualTo("b\n"));
        Assert.That(result.Stdout, Is.EqualTo("a\nc\n"));
    }

    [Test]
    public async Task Run_as_user_runs_with_that_users_id()
    {
        var request = new RunCommandRequest("id -u; id -un") { User = "user" };
        if (!RequireOrExpectGap(Capability.RunAsUser, () => Run(request)))
        {
            return;
        }

        var result = await Run(request);

        Assert.That(result.Stdout, Is.EqualTo("1000\nuser\n"));
    }

    [Test]
    public async Task Unknown_user_is_refused_clearly()
    {
        if (!Supports(Capability.RunAsUser))
        {
            return;
        }

        Assert.That(async () => await Run(new RunCommandRequest("id") { User = "no-such-user" }),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("no-such-user"));
        await Task.CompletedTask;
    }

    [Test]
    public void Empty_command_is_bad_input()
    {
        Assert.That(async () => await Run(""), Throws.InstanceOf<BadConfigException>());
    }

    [Test]
    public async Task Invalid_environment_variable_name_is_bad_input()
    {
        Assert.That(async () => await Run(new RunCommandRequest("true") { Env = new Dictionary<string, string> { ["A B"] = "x" } }),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("A B"));
        await Task.CompletedTask;
    }
}
