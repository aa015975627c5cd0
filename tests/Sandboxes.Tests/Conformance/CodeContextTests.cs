using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Conformance;

/// <summary>Persistent code contexts: state that survives, independence, listing, restart, close, interrupt.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class CodeContextTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task Variables_imports_and_definitions_survive_between_runs()
    {
        if (!RequireOrExpectGap(Capability.CodeContext, () => Sandbox.CreateCodeContextAsync()))
        {
            return;
        }

        var context = await Create();

        await Run(context, "import math\nx = 1\ndef double(n):\n    return 2 * n");
        var result = await Run(context, "print(x + 1)\ndouble(math.floor(2.5))");

        Assert.That(result.Stdout, Is.EqualTo("2\n"));
        Assert.That(result.Text, Is.EqualTo("4"));
        Assert.That(result.ContextId, Is.EqualTo(context.Id));
        Assert.That(context.Language, Is.EqualTo(CodeLanguage.Python));
    }

    [Test]
    public async Task Contexts_are_independent()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var a = await Create();
        var b = await Create();
        await Run(a, "secret = 41");

        var inA = await Run(a, "secret + 1");
        var inB = await Run(b, "secret");

        Assert.That(inA.Text, Is.EqualTo("42"));
        Assert.That(inB.Error?.Name, Is.EqualTo("NameError"));
        Assert.That(inB.Error!.Traceback, Does.Contain("secret"));
    }

    [Test]
    public async Task An_error_leaves_the_context_usable()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var context = await Create();
        await Run(context, "n = 5");

        var failed = await Run(context, "n = 6\nraise ValueError('no good')");
        var after = await Run(context, "n");

        Assert.That(failed.Error?.Name, Is.EqualTo("ValueError"));
        Assert.That(failed.Error!.Value, Is.EqualTo("no good"));
        Assert.That(failed.ExitCode, Is.EqualTo(1));
        Assert.That(after.Text, Is.EqualTo("6"));
        Assert.That(after.ExitCode, Is.Zero);
    }

    [Test]
    public async Task Contexts_are_listed_restarted_and_closed()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var sandbox = await CreateAsync();
        var context = await Call(() => sandbox.CreateCodeContext(), () => sandbox.CreateCodeContextAsync());
        await Call(() => sandbox.RunCode("kept = 1", context), () => sandbox.RunCodeAsync("kept = 1", context));

        var listed = await Call(() => sandbox.ListCodeContexts(), () => sandbox.ListCodeContextsAsync());
        Assert.That(listed.Select(c => c.Id), Is.EqualTo(new[] { context.Id }));

        await Call(() => sandbox.RestartCodeContext(context.Id), () => sandbox.RestartCodeContextAsync(context.Id));
        var afterRestart = await Call(() => sandbox.RunCode("kept", context), () => sandbox.RunCodeAsync("kept", context));
        Assert.That(afterRestart.Error?.Name, Is.EqualTo("NameError"), "a restart starts from nothing");
        Assert.That(await Call(() => sandbox.RunCode("1 + 1", context).Text, async () => (await sandbox.RunCodeAsync("1 + 1", context)).Text), Is.EqualTo("2"));

        await Call(() => sandbox.CloseCodeContext(context.Id), () => sandbox.CloseCodeContextAsync(context.Id));
        Assert.That(await sandbox.ListCodeContextsAsync(), Is.Empty);
        Assert.That(async () => await sandbox.RunCodeAsync("1", context), Throws.InstanceOf<NotFoundException>());
    }

    [Test]
    public async Task Another_client_can_use_a_context()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var context = await Create();
        await Run(context, "shared = 'from the first client'");
        await using var other = new Sandboxer(Target.Provider, Target.Config);
        var attached = await other.AttachSandboxAsync(Sandbox.Id);

        var listed = await attached.ListCodeContextsAsync();
        var result = await Call(() => attached.RunCode("shared", context), () => attached.RunCodeAsync("shared", context));

        Assert.That(listed.Select(c => c.Id), Does.Contain(context.Id));
        Assert.That(result.Text, Is.EqualTo("'from the first client'"));
    }

    [Test]
    public async Task Interrupting_stops_the_code_and_keeps_the_context()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var context = await Create();
        await Run(context, "before = 'kept'");
        var code = "import time\nprint('looping', flush=True)\nfor i in range(600):\n    time.sleep(0.1)\nprint('never')";
        var started = DateTime.UtcNow;

        if (Mode == ApiMode.Async)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            Assert.That(async () => await Sandbox.RunCodeAsync(code, context, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        }
        else
        {
            // The synchronous API interrupts from another thread.
            var interrupter = Task.Run(async () =>
            {
                await Task.Delay(2000);
                Sandbox.InterruptCodeContext(context.Id);
            });
            var interrupted = Sandbox.RunCode(code, context);
            await interrupter;
            Assert.That(interrupted.Error?.Name, Is.EqualTo("KeyboardInterrupt"));
            Assert.That(interrupted.Stdout, Is.EqualTo("looping\n"));
        }

        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(30)));
        var after = await Run(context, "before");
        Assert.That(after.Text, Is.EqualTo("'kept'"));
    }

    [Test]
    public async Task A_timeout_interrupts_the_code_and_keeps_the_context()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var context = await Create();
        await Run(context, "state = 7");

        var error = Assert.CatchAsync<SandboxTimeoutException>(async () =>
            await Call(() => Sandbox.RunCode(new RunCodeRequest("print('busy', flush=True)\nwhile True:\n    pass") { ContextId = context.Id, TimeoutSeconds = 1 }),
                () => Sandbox.RunCodeAsync(new RunCodeRequest("print('busy', flush=True)\nwhile True:\n    pass") { ContextId = context.Id, TimeoutSeconds = 1 })));

        Assert.That(error!.PartialStdout, Is.EqualTo("busy\n"));
        Assert.That((await Run(context, "state")).Text, Is.EqualTo("7"));
    }

    [Test]
    public async Task A_figure_in_a_context_is_a_png()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var context = await Create();
        var probe = await Run(context, "import matplotlib");
        if (probe.Error?.Name == "ModuleNotFoundError")
        {
            Requires.Missing("python3-matplotlib", probe.Error.Value);
        }

        await Run(context, "import matplotlib.pyplot as plt\ndata = [1, 4, 9]");
        var result = await Call(() => Sandbox.RunCode(new RunCodeRequest("fig = plt.figure()\nplt.bar(range(3), data)\nfig") { ContextId = context.Id, TimeoutSeconds = 120 }),
            () => Sandbox.RunCodeAsync(new RunCodeRequest("fig = plt.figure()\nplt.bar(range(3), data)\nfig") { ContextId = context.Id, TimeoutSeconds = 120 }));

        Assert.That(result.Error, Is.Null, result.Error?.Traceback);
        Assert.That(result.MainResult?.Png, Is.Not.Null, "the figure as the last expression is shown as an image");
        Assert.That(result.Png![1..4], Is.EqualTo("PNG"u8.ToArray()));
        Assert.That(result.Text, Does.StartWith("<Figure"));
    }

    [TestCase("javascript", "let total = 40;\nfunction add(n) { return total + n; }", "add(2)", "42")]
    [TestCase("typescript", "let total: number = 40;\nconst add = (n: number): number => total + n;", "add(2)", "42")]
    [TestCase("ruby", "total = 40\ndef add(t, n) = t + n", "add(total, 2)", "42")]
    [TestCase("bash", "total=40; cd /tmp; add() { echo $((total + $1)); }", "add 2; pwd", null)]
    public async Task Other_languages_keep_state_too(string language, string setup, string code, string? text)
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        CodeContext context;
        try
        {
            context = await Call(() => Sandbox.CreateCodeContext(language), () => Sandbox.CreateCodeContextAsync(language));
        }
        catch (RuntimeNotFoundException missing)
        {
            Requires.Missing(language, missing.Message);
            throw;
        }

        var first = await Run(context, setup);
        var result = await Run(context, code);

        Assert.That(first.Error, Is.Null, first.Error?.Traceback);
        Assert.That(result.Error, Is.Null, result.Error?.Traceback);
        Assert.That(result.Text, Is.EqualTo(text));
        if (language == "bash")
        {
            Assert.That(result.Stdout, Is.EqualTo("42\n/tmp\n"));
        }
    }

    [Test]
    public async Task Compiled_languages_have_no_contexts()
    {
        if (!Supports(Capability.CodeContext))
        {
            return;
        }

        var error = Assert.CatchAsync<FeatureNotSupportedException>(async () =>
            await Call(() => Sandbox.CreateCodeContext("go"), () => Sandbox.CreateCodeContextAsync("go")));

        Assert.That(error!.Capability, Is.EqualTo(Capability.CodeContext));
        Assert.That(error.Message, Does.Contain("python"));
        await Task.CompletedTask;
    }

    private Task<CodeContext> Create() => Call(() => Sandbox.CreateCodeContext(), () => Sandbox.CreateCodeContextAsync());

    private Task<ExecutionResult> Run(CodeContext context, string code) =>
        Call(() => Sandbox.RunCode(code, context), () => Sandbox.RunCodeAsync(code, context));
}
