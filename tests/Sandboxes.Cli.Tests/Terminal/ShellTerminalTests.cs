using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Terminal;

/// <summary>
/// <c>sandboxes shell</c> in a real terminal (tmux): typed input reaches the sandbox and its output comes back, window
/// resizes reach the sandbox's terminal, Ctrl-C interrupts the program in the sandbox and not the tool, and whatever
/// the ending (exit, SIGTERM) the user's terminal is left exactly as it was (the saved <c>stty -g</c> state).
/// </summary>
[TestFixture]
[Category("Tmux")]
[Category("Bubblewrap")]
[NonParallelizable]
public sealed class ShellTerminalTests
{
    // The sandbox's bash prompt.
    private const string SandboxPrompt = @"^root@sbx-[a-z0-9]+:/workspace# ";

    private TmuxTerminal _terminal = null!;
    private string _files = null!;

    [OneTimeSetUp]
    public void Check()
    {
        Requires.Bubblewrap();
        Requires.Executable("tmux", "tmux");
    }

    [SetUp]
    public void StartTerminal()
    {
        _files = Directory.CreateTempSubdirectory("sandboxes-cli-tty-").FullName;
        _terminal = TmuxTerminal.Start(cols: 120, rows: 40);
    }

    [TearDown]
    public void StopTerminal()
    {
        _terminal.Dispose();
        Directory.Delete(_files, recursive: true);
    }

    [Test]
    public async Task Typed_input_reaches_the_sandbox_and_exit_restores_the_terminal()
    {
        var before = await SandboxIdsAsync();
        StartShell("sandboxes shell");

        _terminal.TypeLine("echo $((6*7))");
        _terminal.WaitForLine("^42$");
        _terminal.TypeLine("hostname");
        var host = _terminal.WaitForLine("^sbx-[a-z0-9]+$").Value;
        _terminal.TypeLine("exit 7");

        _terminal.WaitForLine("^exit=7$");
        AssertTerminalRestored();
        Assert.That(await SandboxIdsAsync(), Is.EquivalentTo(before), $"the shell's sandbox {host} was destroyed when the shell exited");
    }

    [Test]
    public void A_resize_changes_what_stty_size_prints_in_the_sandbox()
    {
        StartShell("sandboxes shell");
        _terminal.TypeLine("stty size");
        _terminal.WaitForLine("^40 120$");

        // The resize travels tmux -> SIGWINCH to the tool -> the sandbox's terminal; a command typed at once may run first.
        _terminal.Resize(cols: 100, rows: 30);
        AskUntil("stty size", "^30 100$");
        _terminal.Resize(cols: 90, rows: 25);
        AskUntil("echo cols=$(tput cols) lines=$(tput lines)", "^cols=90 lines=25$");

        _terminal.TypeLine("exit");
        _terminal.WaitForLine("^exit=0$");
        AssertTerminalRestored();
    }

    [Test]
    public void Ctrl_C_interrupts_the_program_in_the_sandbox_not_the_tool()
    {
        StartShell("sandboxes shell");
        _terminal.TypeLine("sleep 300; echo slept");
        Thread.Sleep(500);

        _terminal.Keys("C-c");
        _terminal.TypeLine("echo after-$((1+1))");

        _terminal.WaitForLine("^after-2$", TimeSpan.FromSeconds(10));
        Assert.That(_terminal.Screen(), Does.Not.Match("(?m)^slept$").And.Not.Match("(?m)^exit="), "sleep was interrupted, the tool kept running");
        _terminal.TypeLine("exit");
        _terminal.WaitForLine("^exit=0$");
        AssertTerminalRestored();
    }

    [Test]
    public async Task SIGTERM_to_the_tool_restores_the_terminal_and_destroys_the_sandbox()
    {
        var before = await SandboxIdsAsync();
        var marker = "term-" + Guid.NewGuid().ToString("N")[..8];
        StartShell($"sandboxes shell -e MARK={marker}");
        var pid = ToolPid(marker);
        _terminal.TypeLine(@"printf '\033[?1003h'; echo mouse-on");
        _terminal.WaitForLine("^mouse-on$");
        Assert.That(_terminal.Format("mouse_any_flag"), Is.EqualTo("1"), "the sandbox's program turned mouse reporting on");

        CliTool.Signal(pid, "TERM");

        _terminal.WaitForLine("^exit=143$");
        Assert.That(_terminal.Screen(), Does.Match("(?m)^sandboxes: terminated$"), "the tool's message starts on a line of its own");
        AssertTerminalRestored();
        Assert.That(await SandboxIdsAsync(), Is.EquivalentTo(before), "an unkept shell sandbox is destroyed on SIGTERM too");
    }

    [Test]
    public async Task Closing_the_terminal_hangs_up_the_tool_which_destroys_the_sandbox_and_exits()
    {
        var before = await SandboxIdsAsync();
        var marker = "hup-" + Guid.NewGuid().ToString("N")[..8];
        StartShell($"sandboxes shell -e MARK={marker}");
        var pid = ToolPid(marker);

        _terminal.Dispose();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{pid}") && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        Assert.That(Directory.Exists($"/proc/{pid}"), Is.False, "the tool exited on SIGHUP");
        Assert.That(await SandboxIdsAsync(), Is.EquivalentTo(before), "and destroyed its sandbox first");
    }

    [Test]
    public async Task A_named_shell_is_kept_and_reattached_with_its_files()
    {
        var name = "dev-" + Guid.NewGuid().ToString("N")[..8];
        StartShell($"sandboxes shell -n {name}");
        _terminal.TypeLine($"echo kept-{name} > /workspace/note; exit");
        _terminal.WaitForLine("^exit=0$");
        Assert.That(_terminal.Screen(), Does.Contain($"sandboxes shell -n {name}` reattaches"));

        _terminal.Clear();
        StartShell($"sandboxes shell -n {name}");
        _terminal.TypeLine("cat /workspace/note");
        _terminal.WaitForLine($"^kept-{name}$");
        _terminal.TypeLine("exit");
        _terminal.WaitForLine("^exit=0$");
        AssertTerminalRestored();

        var named = await CliTool.RunAsync("list", "-l", "sandboxes.name=" + name, "-q");
        Assert.That(named.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "one sandbox, attached twice");
        var destroy = await CliTool.RunAsync("destroy", named.Stdout.Trim());
        Assert.That(destroy.ExitCode, Is.Zero, destroy.ToString());
    }

    /// <summary>Runs the tool in the pane between two `stty -g` snapshots of the pane's terminal, then waits for the sandbox's prompt.</summary>
    private void StartShell(string command)
    {
        _terminal.TypeLine($"stty -g > {_files}/before; {command}; echo exit=$?; stty -g > {_files}/after");
        _terminal.WaitForLine(SandboxPrompt);
    }

    /// <summary>Types <paramref name="command"/> until its output matches (at most ten times).</summary>
    private void AskUntil(string command, string pattern)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            _terminal.Clear();
            _terminal.TypeLine(command);
            Thread.Sleep(300);
            if (System.Text.RegularExpressions.Regex.IsMatch(_terminal.Screen(), pattern, System.Text.RegularExpressions.RegexOptions.Multiline))
            {
                return;
            }
        }

        _terminal.WaitForLine(pattern, TimeSpan.FromSeconds(1));
    }

    private void AssertTerminalRestored()
    {
        var after = Path.Combine(_files, "after");
        _terminal.WaitFor(_ => File.Exists(after) && File.ReadAllText(after).Length > 0, "the terminal state after the tool");
        Assert.That(File.ReadAllText(after), Is.EqualTo(File.ReadAllText(Path.Combine(_files, "before"))), "stty -g after the tool equals stty -g before it");
        foreach (var mode in new[] { "keypad_cursor_flag", "keypad_flag", "mouse_any_flag", "cursor_flag" })
        {
            Assert.That(_terminal.Format(mode), Is.EqualTo(mode == "cursor_flag" ? "1" : "0"), $"{mode}: the terminal's modes are back to their defaults");
        }

        // And, as a user would check it: the pane's shell echoes and edits lines again.
        _terminal.Clear();
        _terminal.TypeLine("stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon -e isig -e -echo -e -icanon");
        _terminal.WaitForLine("^-?isig$");
        var screen = _terminal.Screen();
        Assert.That(screen, Does.Match("(?m)^echo$").And.Match("(?m)^icanon$").And.Not.Match("(?m)^-echo$").And.Not.Match("(?m)^-icanon$"));
    }

    private static int ToolPid(string marker)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), out var pid) &&
                    File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ') is var cmdline &&
                    cmdline.Contains("Sandboxes.Cli.dll", StringComparison.Ordinal) && cmdline.Contains(marker, StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
        }

        throw new InvalidOperationException("the tool started with " + marker + " is not running");
    }

    private static async Task<List<string>> SandboxIdsAsync()
    {
        var list = await CliTool.RunAsync("list", "-p", "local", "--json");
        return JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
    }
}
