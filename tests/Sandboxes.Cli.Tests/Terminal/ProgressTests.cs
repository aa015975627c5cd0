using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Terminal;

/// <summary>
/// The spinner: on a terminal it shows while a sandbox is created and while a preset's setup commands run, then
/// erases itself; in a pipe nothing of it appears (see <see cref="Verbs.ExitCodeTests"/>, whose runs' stderr is exactly
/// the command's).
/// </summary>
[TestFixture]
[Category("Tmux")]
[Category("Bubblewrap")]
public sealed class ProgressTests
{
    [OneTimeSetUp]
    public void Check()
    {
        Requires.Bubblewrap();
        Requires.Executable("tmux", "tmux");
    }

    [Test]
    public void A_preset_install_shows_progress_on_a_terminal_and_leaves_no_trace()
    {
        using var terminal = TmuxTerminal.Start();
        terminal.TypeLine("sandboxes run --preset node 'echo done-$((6*7))'");

        // The node preset runs `node --version` and `npm --version`: a few hundred milliseconds to catch the spinner in.
        var seen = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        string screen;
        do
        {
            screen = terminal.Screen();
            foreach (var status in new[] { "Creating a node sandbox on local", "Installing preset node: npm --version", "Installing preset node: node --version" })
            {
                if (screen.Contains(status, StringComparison.Ordinal))
                {
                    seen.Add(status);
                }
            }
        }
        while (!screen.Contains("\ndone-42", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(30));

        Assert.That(seen, Is.Not.Empty, "the spinner showed what it was waiting for");
        Assert.That(screen, Does.Contain("\ndone-42"));
        Assert.That(screen, Does.Not.Contain("Creating").And.Not.Contain("Installing"), "the spinner erased itself");
    }
}
