using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>`sandboxes run --file`, `--lang` (code on stdin) and `--deps` (Go modules), against the real tool.</summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class CliCodeTests
{
    private string _dir = null!;

    [OneTimeSetUp]
    public void Check()
    {
        Requires.Bubblewrap();
        _dir = Directory.CreateTempSubdirectory("sandboxes-cli-code-").FullName;
    }

    [OneTimeTearDown]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task A_file_runs_in_the_language_of_its_extension()
    {
        var script = Write("script.py", "import sys\nprint('from python', sys.version_info[0])\nprint('to stderr', file=sys.stderr)\n");

        var run = await Cli.RunAsync("run", "--file", script);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo("from python 3\n"));
        Assert.That(run.Stderr, Is.EqualTo("to stderr\n"));
    }

    [Test]
    public async Task An_exception_prints_its_traceback_and_fails()
    {
        var script = Write("fails.py", "def f():\n    raise KeyError('missing')\nf()\n");

        var run = await Cli.RunAsync("run", "--file", script);

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stderr, Does.Contain("Traceback").And.Contain("KeyError: 'missing'").And.Contain("line 2, in f"));
    }

    [Test]
    public async Task Code_on_stdin_runs_in_the_language_given()
    {
        var run = await Cli.RunWithInputAsync("console.log([1, 2, 3].map(n => n * 2).join(','));\nprocess.exit(4);", "run", "--lang", "node");

        Assert.That(run.Stdout, Is.EqualTo("2,4,6\n"));
        Assert.That(run.ExitCode, Is.EqualTo(4), run.Stderr);
    }

    [Test]
    public async Task A_language_the_sandbox_lacks_exits_127()
    {
        var run = await Cli.RunWithInputAsync("DISPLAY 'HI'.", "run", "--lang", "cobol");

        Assert.That(run.ExitCode, Is.EqualTo(127));
        Assert.That(run.Stderr, Does.Contain("No runtime for cobol"));
    }

    [Test]
    public async Task A_go_module_runs_with_deps()
    {
        var module = Directory.CreateDirectory(Path.Combine(_dir, "gomod")).FullName;
        File.WriteAllText(Path.Combine(module, "go.mod"), "module example.com/hello\n\ngo 1.19\n");
        var main = Path.Combine(module, "main.go");
        File.WriteAllText(main, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from a module\") }\n");

        var run = await Cli.RunAsync("run", "--file", main, "--deps", "-t", "110");

        if (run.ExitCode == 127)
        {
            Requires.Missing("golang-go", run.Stderr.Trim());
        }

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo("hello from a module\n"));
    }

    [Test]
    public async Task Usage_errors_exit_2()
    {
        var noLanguage = await Cli.RunAsync("run", "--file", Write("notes.txt", "hello"));
        var both = await Cli.RunAsync("run", "--file", Write("x.py", "print(1)"), "echo", "hi");
        var depsWithoutGo = await Cli.RunAsync("run", "--file", Write("y.py", "print(1)"), "--deps");

        Assert.That(noLanguage.ExitCode, Is.EqualTo(2));
        Assert.That(noLanguage.Stderr, Does.Contain("--lang"));
        Assert.That(both.ExitCode, Is.EqualTo(2));
        Assert.That(depsWithoutGo.ExitCode, Is.EqualTo(2));
        Assert.That(depsWithoutGo.Stderr, Does.Contain("--deps"));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
