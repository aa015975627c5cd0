using System.CommandLine;
using NUnit.Framework;
using Sandboxes.Cli.Completion;
using Sandboxes.Cli.Help;

namespace Sandboxes.Cli.Tests.Units;

/// <summary>The help rewriting and the completion model read from the command tree.</summary>
[TestFixture]
public sealed class HelpAndCompletionModelTests
{
    [Test]
    public void Help_usage_names_the_installed_command_and_the_examples_follow()
    {
        var verb = new Command("demo", "A demo.").WithExamples("sandboxes demo --x");
        var help = $"Description:\n  A demo.\n\nUsage:\n  {RootCommand.ExecutableName} demo [options]\n\n";

        var rewritten = HelpPrinter.Rewrite(help, verb);

        Assert.That(rewritten, Is.EqualTo("Description:\n  A demo.\n\nUsage:\n  sandboxes demo [options]\n\nExamples:\n  sandboxes demo --x\n\n"));
    }

    [Test]
    public void The_completion_model_knows_ids_values_files_and_flags()
    {
        var model = CompletionModel.From(CommandTree.Create());
        var verbs = model.Verbs.ToDictionary(v => v.Name);

        Assert.That(verbs.Keys, Is.SupersetOf(new[] { "run", "exec", "shell", "list", "destroy", "snapshot", "pause", "resume", "port", "providers", "test", "claude", "codex", "completion" }));
        Assert.That(verbs["exec"].Arguments[0].Completes.Kind, Is.EqualTo(CompletionModel.ValueKind.SandboxId));
        Assert.That(verbs["exec"].Arguments[1].Completes.Kind, Is.EqualTo(CompletionModel.ValueKind.Free));
        Assert.That(verbs["destroy"].Arguments[0].Many, Is.True);
        Assert.That(verbs["completion"].Arguments[0].Completes.Choices, Is.EqualTo(new[] { "bash", "zsh" }));

        var run = verbs["run"].Options.ToDictionary(o => o.Names[0]);
        Assert.That(run["--keep"].Takes, Is.Null, "a flag");
        Assert.That(run["--file"].Takes!.Kind, Is.EqualTo(CompletionModel.ValueKind.File));
        Assert.That(run["--preset"].Takes!.Choices, Is.EquivalentTo(SandboxPresets.Names));
        Assert.That(run["--provider"].Takes!.Choices, Is.EquivalentTo(SandboxProviders.Names));
        Assert.That(run["--env"].Repeatable, Is.True);
    }
}
