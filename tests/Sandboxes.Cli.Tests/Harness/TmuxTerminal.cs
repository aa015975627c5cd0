using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Sandboxes.Cli.Tests.Harness;

/// <summary>
/// A real terminal for the tool: a private tmux server (its own socket in the run's state directory, no user config,
/// no status line) with one window running a shell, typed into with send-keys and read with capture-pane. The shell
/// has the tool's test environment and <c>sandboxes</c> on its PATH.
/// </summary>
public sealed class TmuxTerminal : IDisposable
{
    private const string Window = "main";
    private readonly string _socket;

    private TmuxTerminal(string socket) => _socket = socket;

    /// <summary>Starts a server with one <paramref name="cols"/>x<paramref name="rows"/> window running <paramref name="shell"/>.</summary>
    public static TmuxTerminal Start(string shell = "sh", int cols = 120, int rows = 40)
    {
        var dir = Path.Combine(CliTestEnvironment.StateDir, "tmux");
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "tmux.conf");
        File.WriteAllText(config, "set -g status off\nset -g escape-time 0\nset -g history-limit 5000\n");
        var terminal = new TmuxTerminal(Path.Combine(dir, Guid.NewGuid().ToString("N")[..8] + ".sock"));
        var environment = CliTool.EnvironmentFor(new Dictionary<string, string?>
        {
            ["PATH"] = CliTestEnvironment.BinDir + ":" + System.Environment.GetEnvironmentVariable("PATH"),
            ["PS1"] = "$ ",
            ["ENV"] = null,
            ["TMUX"] = null,
        });
        terminal.Tmux(environment, "-f", config, "new-session", "-d", "-x", cols.ToString(), "-y", rows.ToString(), "-s", Window, shell);
        terminal.WaitFor(screen => screen.TrimEnd() is { Length: > 0 } text && text[^1] is '$' or '%' or '#' or '>', "a prompt");
        return terminal;
    }

    /// <summary>Types text literally (no key names), without Enter.</summary>
    public void Type(string text) => Tmux(null, "send-keys", "-t", Window, "-l", "--", text);

    /// <summary>Types a line and presses Enter.</summary>
    public void TypeLine(string text)
    {
        Type(text);
        Keys("Enter");
    }

    /// <summary>Presses keys by tmux name (Enter, Tab, C-c).</summary>
    public void Keys(params string[] keys) => Tmux(null, ["send-keys", "-t", Window, .. keys]);

    /// <summary>Resizes the window (and so the pane: there is no status line).</summary>
    public void Resize(int cols, int rows) => Tmux(null, "resize-window", "-t", Window, "-x", cols.ToString(), "-y", rows.ToString());

    /// <summary>The visible screen, wrapped lines joined.</summary>
    public string Screen() => Tmux(null, "capture-pane", "-p", "-J", "-t", Window);

    /// <summary>A pane format variable, such as <c>keypad_cursor_flag</c> (1 when the terminal is in application cursor mode).</summary>
    public string Format(string name) => Tmux(null, "display-message", "-p", "-t", Window, "#{" + name + "}").Trim();

    /// <summary>Clears the screen and the scrollback, so later waits see only new output.</summary>
    public void Clear()
    {
        // Wait for the screen to hold nothing but a prompt: typing on before `clear` ran would be wiped with it.
        TypeLine("clear");
        WaitFor(screen => screen.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [var prompt] && !prompt.Contains("clear", StringComparison.Ordinal),
            "a cleared screen");
        Tmux(null, "clear-history", "-t", Window);
    }

    /// <summary>Waits until the screen has a line matching <paramref name="pattern"/>; returns the match.</summary>
    public Match WaitForLine(string pattern, TimeSpan? timeout = null)
    {
        Match? match = null;
        WaitFor(screen => (match = Regex.Match(screen, pattern, RegexOptions.Multiline)).Success, $"a line matching /{pattern}/", timeout);
        return match!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the screen; fails the test with the screen otherwise.</summary>
    public string WaitFor(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var screen = string.Empty;
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)))
        {
            screen = Screen();
            if (condition(screen))
            {
                return screen;
            }

            Thread.Sleep(100);
        }

        Assert.Fail($"Timed out waiting for {what}. The terminal shows:\n{screen}");
        return screen;
    }

    /// <summary>Stops the server and everything running in it.</summary>
    public void Dispose()
    {
        try
        {
            Tmux(null, "kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string Tmux(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
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

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {error}");
        }

        return output;
    }
}
