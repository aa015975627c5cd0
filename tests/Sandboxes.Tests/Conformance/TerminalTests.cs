using System.Text;
using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>Pseudo-terminals: a real terminal, input and output as a stream, resize with SIGWINCH, kill and listing.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class TerminalTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task A_shell_on_a_terminal_runs_what_is_typed()
    {
        if (!RequireOrExpectGap(Capability.Pty, () => Sandbox.CreatePtyAsync()))
        {
            return;
        }

        await using var pty = await Call(() => Sandbox.CreatePty(new CreatePtyRequest { Rows = 30, Cols = 100 }),
            () => Sandbox.CreatePtyAsync(new CreatePtyRequest { Rows = 30, Cols = 100 }));

        await pty.WriteAsync("tty; [ -t 0 ] && echo is-a-terminal; stty size; echo $((6*7))\n");
        var output = await ReadUntilAsync(pty, "42\r\n");

        Assert.That(output, Does.Contain("/dev/pts/"));
        Assert.That(output, Does.Contain("is-a-terminal"));
        Assert.That(output, Does.Contain("30 100"));
        Assert.That(output, Does.Contain("42"));
    }

    [Test]
    public async Task Resize_changes_the_size_the_program_sees()
    {
        if (!Supports(Capability.Pty))
        {
            return;
        }

        await using var pty = await Sandbox.CreatePtyAsync(new CreatePtyRequest { Rows = 24, Cols = 80 });
        // Expected outputs are computed by the shell, so the terminal's echo of the typed line can never match them.
        await pty.WriteAsync("trap 'echo WIN''CH' WINCH; echo ready_$((20+22))\n");
        await ReadUntilAsync(pty, "ready_42");

        await Call(() => Sandbox.ResizePty(pty.Pid, 50, 132), () => Sandbox.ResizePtyAsync(pty.Pid, 50, 132));
        await pty.WriteAsync("stty size\n");
        var output = await ReadUntilAsync(pty, "50 132");
        // The shell runs its trap between commands: give it one more command.
        await pty.WriteAsync("echo after_$((1+1))\n");
        output += await ReadUntilAsync(pty, "after_2", alsoExpected: output.Contains("WINCH", StringComparison.Ordinal) ? null : "WINCH");

        Assert.That(output, Does.Contain("WINCH"));
        Assert.That(pty.Info.Rows, Is.EqualTo(50));
        var listed = await Call(() => Sandbox.ListPty(), () => Sandbox.ListPtyAsync());
        Assert.That(listed, Has.Some.Matches<PtyInfo>(p => p.Pid == pty.Pid && p.Rows == 50 && p.Cols == 132));
    }

    [Test]
    public async Task A_command_on_a_terminal_exits_with_its_code()
    {
        if (!Supports(Capability.Pty))
        {
            return;
        }

        await using var pty = await Sandbox.CreatePtyAsync(new CreatePtyRequest { Command = "echo on-tty; exit 5", Env = new Dictionary<string, string> { ["A"] = "1" } });

        var output = await ReadToEndAsync(pty);
        var code = await pty.WaitForExitAsync();

        Assert.That(output, Does.Contain("on-tty"));
        Assert.That(code, Is.EqualTo(5));
    }

    [Test]
    public async Task Killing_a_terminal_ends_its_program()
    {
        if (!Supports(Capability.Pty))
        {
            return;
        }

        var pty = await Sandbox.CreatePtyAsync(new CreatePtyRequest { Command = "sleep 60" });
        var pid = pty.Pid;

        await Call(() => Sandbox.KillPty(pid), () => Sandbox.KillPtyAsync(pid));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await pty.WaitForExitAsync(timeout.Token);
        Assert.That(await Sandbox.ListPtyAsync(), Has.None.Matches<PtyInfo>(p => p.Pid == pid));
    }

    private static async Task<string> ReadUntilAsync(PtySession pty, string expected, string? alsoExpected = null)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!text.ToString().Contains(expected, StringComparison.Ordinal)
               || (alsoExpected is not null && !text.ToString().Contains(alsoExpected, StringComparison.Ordinal)))
        {
            var n = await pty.ReadAsync(buffer, timeout.Token);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    private static async Task<string> ReadToEndAsync(PtySession pty)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        int n;
        while ((n = await pty.ReadAsync(buffer, timeout.Token)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
