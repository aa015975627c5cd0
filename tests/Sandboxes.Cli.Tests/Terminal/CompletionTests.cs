using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Terminal;

/// <summary>
/// <c>sandboxes completion bash|zsh</c>: the scripts load in the real shells and complete verbs, options, option
/// values and sandbox ids (asked of the tool at completion time). bash is driven through its completion variables;
/// zsh through a real terminal, since its completion system only runs in the line editor.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class CompletionTests
{
    private string _keptId = null!;

    [OneTimeSetUp]
    public async Task KeepASandbox()
    {
        Requires.Bubblewrap();
        var kept = await CliTool.RunAsync("run", "--keep", "-l", $"completion={Guid.NewGuid():N}", "true");
        _keptId = kept.SandboxId;
    }

    [OneTimeTearDown]
    public async Task DestroyIt() => await CliTool.RunAsync("destroy", _keptId);

    [TestCase("sandboxes ru", "run")]
    [TestCase("sandboxes sh", "shell")]
    [TestCase("sandboxes run --pre", "--preset")]
    [TestCase("sandboxes run --preset python-", "python-data-science python-ml")]
    [TestCase("sandboxes exec -p ", "jupyter local")]
    [TestCase("sandboxes completion ", "bash zsh")]
    [TestCase("sandboxes list --js", "--json")]
    public void Bash_completes_verbs_options_and_values(string line, string expected)
    {
        Assert.That(Bash(line), Is.EqualTo(expected));
    }

    [Test]
    public void Bash_completes_sandbox_ids_where_an_id_goes_and_only_there()
    {
        Assert.That(Bash("sandboxes destroy sbx-").Split(' '), Does.Contain(_keptId));
        Assert.That(Bash("sandboxes exec -p local sbx-").Split(' '), Does.Contain(_keptId), "the value of -p is skipped when counting arguments");
        Assert.That(Bash($"sandboxes exec {_keptId} sbx-"), Is.Empty, "the second argument of exec is a command, not an id");
    }

    [Test]
    [Category("Tmux")]
    public void Zsh_completes_in_a_real_terminal()
    {
        Requires.Executable("tmux", "tmux");
        Requires.Executable("zsh", "zsh");
        var home = Directory.CreateTempSubdirectory("sandboxes-cli-zsh-").FullName;
        File.WriteAllText(Path.Combine(home, ".zshrc"), "PS1='zsh> '\nautoload -U compinit && compinit -u\nsource <(sandboxes completion zsh)\n");
        try
        {
            using var terminal = TmuxTerminal.Start($"env ZDOTDIR={home} zsh");
            terminal.Type("sandboxes ru");
            terminal.Keys("Tab");
            terminal.WaitForLine(@"^zsh> sandboxes run *$");
            terminal.Type("--pre");
            terminal.Keys("Tab");
            terminal.WaitForLine(@"^zsh> sandboxes run --preset *$");
            terminal.Type("python-d");
            terminal.Keys("Tab");
            terminal.WaitForLine(@"^zsh> sandboxes run --preset python-data-science *$");
            terminal.Keys("C-u");
            terminal.Type("sandboxes pause " + _keptId[..6]);
            terminal.Keys("Tab");
            terminal.WaitForLine($@"^zsh> sandboxes pause {_keptId} *$", TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>What bash's completion function offers for <paramref name="line"/> (completing its last word), space-separated.</summary>
    private static string Bash(string line)
    {
        var words = line.EndsWith(' ') ? [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries), ""] : line.Split(' ');
        var script = $"""
            source <(sandboxes completion bash)
            COMP_WORDS=({string.Join(' ', words.Select(w => "'" + w + "'"))})
            COMP_CWORD={words.Length - 1}
            COMP_LINE='{line}'
            COMP_POINT=${"{#COMP_LINE}"}
            _sandboxes
            printf '%s\n' "${"{COMPREPLY[@]}"}" | sort | tr '\n' ' '
            """;
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "-c", script } };
        foreach (var (key, value) in CliTool.EnvironmentFor(new Dictionary<string, string?>
                 {
                     ["PATH"] = CliTestEnvironment.BinDir + ":" + Environment.GetEnvironmentVariable("PATH"),
                 }))
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEnd();
        var error = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.That(bash.ExitCode, Is.Zero, error);
        return output.Trim();
    }
}
