using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Conformance;

/// <summary>Running code once: the last expression's value, output, errors with tracebacks, rich outputs, languages.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class CodeTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Test]
    public async Task The_last_expression_of_a_block_is_its_text()
    {
        var result = await RunCode(new RunCodeRequest("x = 10\nx * 2"));

        Assert.That(result.Text, Is.EqualTo("20"));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.Language, Is.EqualTo(CodeLanguage.Python));
    }

    [Test]
    public async Task Output_streams_and_exit_code_are_kept_apart()
    {
        var result = await RunCode(new RunCodeRequest("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)"));

        Assert.That(result.Stdout, Is.EqualTo("out\n"));
        Assert.That(result.Stderr, Is.EqualTo("err\n"));
        Assert.That(result.ExitCode, Is.EqualTo(3));
        Assert.That(result.Text, Is.Null);
    }

    [Test]
    public async Task An_exception_is_an_error_with_name_value_and_traceback()
    {
        var result = await RunCode(new RunCodeRequest("def f():\n    return 1 / 0\n\nprint('before')\nf()"));

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stdout, Is.EqualTo("before\n"));
        Assert.That(result.Error, Is.Not.Null);
        Assert.That(result.Error!.Name, Is.EqualTo("ZeroDivisionError"));
        Assert.That(result.Error.Value, Is.EqualTo("division by zero"));
        Assert.That(result.Error.Traceback, Does.Contain("line 2, in f").And.Contain("return 1 / 0").And.Contain("line 5"));
        Assert.That(result.Error.Traceback, Does.Not.Contain("python_driver").And.Not.Contain("run_cell"), "the driver's frames are hidden");
    }

    [Test]
    public async Task A_syntax_error_is_an_error_too()
    {
        var result = await RunCode(new RunCodeRequest("print('never')\nif True print(1)"));

        Assert.That(result.Error?.Name, Is.EqualTo("SyntaxError"));
        Assert.That(result.Stdout, Is.Empty, "nothing ran");
    }

    [Test]
    public async Task Callbacks_receive_output_while_the_code_runs()
    {
        var chunks = new List<(string Text, DateTime At)>();
        var results = new List<MimeBundle>();
        var finished = DateTime.MinValue;
        var result = await RunCode(new RunCodeRequest("import time\nprint('first', flush=True)\ntime.sleep(1)\nprint('second')\n42")
        {
            OnStdout = text => { lock (chunks) { chunks.Add((text, DateTime.UtcNow)); } },
            OnResult = results.Add,
        });
        finished = DateTime.UtcNow;

        Assert.That(string.Concat(chunks.Select(c => c.Text)), Is.EqualTo(result.Stdout).And.EqualTo("first\nsecond\n"));
        Assert.That(results.Single().Text, Is.EqualTo("42"));
        if (Supports(Capability.CommandsStream))
        {
            Assert.That(finished - chunks[0].At, Is.GreaterThan(TimeSpan.FromMilliseconds(700)), "the first line arrived before the code ended");
        }
    }

    [Test]
    public async Task Rich_outputs_arrive_as_mime_bundles()
    {
        var png = Convert.ToBase64String(TinyPng);
        var code = $$"""
            class Table:
                def _repr_html_(self):
                    return '<table><tr><td>1</td></tr></table>'
                def __repr__(self):
                    return 'Table(1)'
            display({'image/png': '{{png}}', 'text/plain': 'an image'}, raw=True)
            display({'application/json': {'a': [1, 2]}, 'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"/>'}, raw=True)
            Table()
            """;

        var result = await RunCode(new RunCodeRequest(code));

        Assert.That(result.Error, Is.Null, result.Error?.Traceback);
        Assert.That(result.Results, Has.Count.EqualTo(3));
        Assert.That(result.Png, Is.EqualTo(TinyPng));
        Assert.That(result.Json?.GetProperty("a")[1].GetInt32(), Is.EqualTo(2));
        Assert.That(result.Svg, Does.StartWith("<svg"));
        Assert.That(result.Html, Is.EqualTo("<table><tr><td>1</td></tr></table>"));
        Assert.That(result.Text, Is.EqualTo("Table(1)"));
        Assert.That(result.MainResult!.IsMainResult, Is.True);
        Assert.That(result.Results[0].IsMainResult, Is.False);
    }

    [Test]
    public async Task A_matplotlib_figure_is_a_png()
    {
        await RequirePythonModuleAsync("matplotlib", "python3-matplotlib");

        var result = await RunCode(new RunCodeRequest("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('t')\nplt.show()")
        {
            TimeoutSeconds = 120, // the first import builds matplotlib's font cache
        });

        Assert.That(result.Error, Is.Null, result.Error?.Traceback);
        Assert.That(result.Png, Is.Not.Null);
        Assert.That(result.Png![..8], Is.EqualTo(PngSignature));
        Assert.That(result.Png.Length, Is.GreaterThan(1000));
    }

    [Test]
    public async Task An_ipython_display_image_is_a_png()
    {
        await RequirePythonModuleAsync("IPython", "python3-ipython");
        var code = $"from IPython.display import Image, HTML, display\ndisplay(Image(data=bytes.fromhex('{Convert.ToHexString(TinyPng)}')))\ndisplay(HTML('<b>bold</b>'))";

        var result = await RunCode(new RunCodeRequest(code) { TimeoutSeconds = 60 });

        Assert.That(result.Error, Is.Null, result.Error?.Traceback);
        Assert.That(result.Png, Is.EqualTo(TinyPng));
        Assert.That(result.Html, Is.EqualTo("<b>bold</b>"));
    }

    [Test]
    public async Task Cwd_and_env_reach_a_one_off_run()
    {
        var dir = TestPath("code");
        await Call(() => Sandbox.MakeDir(dir), () => Sandbox.MakeDirAsync(dir));
        var request = new RunCodeRequest("import os\nprint(os.getcwd())\nos.environ['GREETING']") { Cwd = dir };
        if (Supports(Capability.Environment))
        {
            request = request with { Env = new Dictionary<string, string> { ["GREETING"] = "hello" } };
        }
        else
        {
            request = request with { Code = "import os\nprint(os.getcwd())\n'hello'" };
        }

        var result = await RunCode(request);

        Assert.That(result.Stdout, Is.EqualTo(dir + "\n"));
        Assert.That(result.Text, Is.EqualTo("'hello'"));
    }

    [Test]
    public async Task A_run_that_outlives_its_timeout_is_killed_and_keeps_its_output()
    {
        var error = Assert.CatchAsync<SandboxTimeoutException>(async () =>
            await RunCode(new RunCodeRequest("import time\nprint('started', flush=True)\ntime.sleep(30)") { TimeoutSeconds = 2 }));

        Assert.That(error!.PartialStdout, Is.EqualTo("started\n"));
        await Task.CompletedTask;
    }

    [TestCase("javascript", "const x = 10;\nconsole.log('hi');\nx * 2", "20")]
    [TestCase("typescript", "const x: number = 10;\ninterface P { n: number }\nconst p: P = { n: x * 2 };\nconsole.log('hi');\np.n", "20")]
    [TestCase("ruby", "x = 10\nputs 'hi'\nx * 2", "20")]
    [TestCase("bash", "x=10\necho hi", null)]
    [TestCase("go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n", null)]
    [TestCase("rust", "fn main() { println!(\"hi\"); }\n", null)]
    [TestCase("perl", "my $x = 'hi'; print \"$x\\n\";", null)]
    public async Task Each_language_runs(string language, string code, string? text)
    {
        var result = await RunLanguageAsync(new RunCodeRequest(code) { Language = language, TimeoutSeconds = 180 });

        Assert.That(result.Error, Is.Null, result.Error?.Traceback);
        Assert.That(result.Stdout, Is.EqualTo("hi\n"));
        Assert.That(result.Text, Is.EqualTo(text));
        Assert.That(result.ExitCode, Is.Zero);
    }

    [TestCase("javascript", "function f() { return null.x; }\nf();", "TypeError")]
    [TestCase("typescript", "const s: string = 'a';\nthrow new RangeError('out of range');", "RangeError")]
    [TestCase("ruby", "def f\n  raise ArgumentError, 'bad'\nend\nf", "ArgumentError")]
    [TestCase("go", "package main\n\nfunc main() { undefined() }\n", "CompileError")]
    [TestCase("rust", "fn main() { let x: u32 = \"no\"; }\n", "CompileError")]
    public async Task Errors_are_named_in_each_language(string language, string code, string name)
    {
        var result = await RunLanguageAsync(new RunCodeRequest(code) { Language = language, TimeoutSeconds = 180 });

        Assert.That(result.Error?.Name, Is.EqualTo(name));
        Assert.That(result.Error!.Traceback, Is.Not.Empty);
        Assert.That(result.ExitCode, Is.Not.Zero);
    }

    [Test]
    public void A_language_without_a_runtime_is_a_typed_error()
    {
        var error = Assert.CatchAsync<RuntimeNotFoundException>(async () =>
            await RunCode(new RunCodeRequest("print 1") { Language = "no-such-interpreter" }));

        Assert.That(error!.Language.Id, Is.EqualTo("no-such-interpreter"));
        Assert.That(error.Searched, Is.EqualTo(new[] { "no-such-interpreter" }));
        Assert.That(error.Provider, Is.EqualTo(Target.Provider));
    }

    [Test]
    public void A_language_name_that_is_not_a_program_is_refused()
    {
        Assert.That(async () => await RunCode(new RunCodeRequest("x") { Language = "rm -rf /" }), Throws.InstanceOf<BadConfigException>());
    }

    /// <summary>A 1x1 PNG.</summary>
    internal static byte[] TinyPng { get; } = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private Task<ExecutionResult> RunCode(RunCodeRequest request) =>
        Call(() => Sandbox.RunCode(request), () => Sandbox.RunCodeAsync(request));

    /// <summary>Runs code in a language whose runtime a sandbox may lack: a missing one is a missing component.</summary>
    private async Task<ExecutionResult> RunLanguageAsync(RunCodeRequest request)
    {
        try
        {
            return await RunCode(request);
        }
        catch (RuntimeNotFoundException missing)
        {
            Requires.Missing(missing.Language.Id, missing.Message);
            throw;
        }
    }

    private async Task RequirePythonModuleAsync(string module, string package)
    {
        var probe = await Sandbox.RunCodeAsync($"import {module}");
        if (probe.Error?.Name == "ModuleNotFoundError")
        {
            Requires.Missing(package, probe.Error.Value);
        }

        Assert.That(probe.Error, Is.Null, probe.Error?.Traceback);
    }
}
