using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;

namespace Sandboxes.Cli.Tests.Verbs;

/// <summary>Every verb answers <c>--help</c> with its usage under the installed name and examples; the root's help documents the exit codes.</summary>
[TestFixture]
public sealed class HelpTests
{
    private static IEnumerable<string> Verbs() => CommandTree.Create().Subcommands.Select(c => c.Name);

    [TestCaseSource(nameof(Verbs))]
    public async Task Every_verb_has_help_with_usage_and_examples(string verb)
    {
        var help = await CliTool.RunAsync(verb, "--help");

        Assert.That(help.ExitCode, Is.Zero, help.ToString());
        Assert.That(help.Stdout, Does.Contain($"Usage:\n  sandboxes {verb}"), "the usage names the installed command, not the assembly");
        Assert.That(help.Stdout, Does.Contain("\nExamples:\n  sandboxes " + verb).Or.Contain("\nExamples:\n  source <(sandboxes " + verb));
        Assert.That(help.Stdout, Does.Not.Contain("Sandboxes.Cli"));
    }

    [Test]
    public async Task The_root_help_lists_every_verb_and_the_exit_codes()
    {
        var help = await CliTool.RunAsync("--help");

        Assert.That(help.ExitCode, Is.Zero);
        foreach (var verb in Verbs())
        {
            Assert.That(help.Stdout, Does.Match($"(?m)^  {verb}\\b"));
        }

        Assert.That(help.Stdout, Does.Contain("124 timeout").And.Contain("125 provider error").And.Contain("130 Ctrl-C").And.Contain("2 usage"));
        Assert.That(help.Stdout, Does.Contain("config.json"));
    }
}
