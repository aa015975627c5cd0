using System.CommandLine;
using Sandboxes.Cli.Commands;
using Sandboxes.Cli.Help;

namespace Sandboxes.Cli;

/// <summary>The <c>sandboxes</c> command and its verbs.</summary>
internal static class CommandTree
{
    /// <summary>Builds the root command with every verb.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("""
            sandboxes: run commands and code in isolated sandboxes (local namespaces, containers, Jupyter, cloud providers), from any language.

            The provider is -p/--provider, else $SANDBOXES_PROVIDER, else "defaultProvider" in the config file
            ($SANDBOXES_CONFIG, else ~/.config/sandboxes/config.json), else the first cloud provider whose credentials are set, else local.

            Exit codes: run, exec and shell exit with the command's own code. Otherwise 0 success; 2 usage or configuration
            (missing credentials included); 124 timeout; 125 provider error; 127 no runtime for the code's language;
            128+N killed by signal N (129 hang-up, 130 Ctrl-C, 143 SIGTERM).
            """)
        {
            RunVerb.Create(),
            ExecVerb.Create(),
            ShellVerb.Create(),
            ListVerb.Create(),
            DestroyVerb.Create(),
            SnapshotVerb.Create(),
            PauseVerb.Create(),
            ResumeVerb.Create(),
            PortVerb.Create(),
            ExtendVerb.Create(),
            ProvidersVerb.Create(),
            TestVerb.Create(),
            AgentVerb.Create(AgentVerb.Claude),
            AgentVerb.Create(AgentVerb.Codex),
            CompletionVerb.Create(),
        };
        // Flags take no value: otherwise `run --keep true` would read "true" as the flag's value, not as the command.
        foreach (var flag in root.Subcommands.SelectMany(c => c.Options).OfType<Option<bool>>())
        {
            flag.Arity = ArgumentArity.Zero;
        }

        return root.WithExamples(
            "sandboxes run \"python3 -c 'print(6*7)'\"     # create, run, stream, exit with its code, destroy",
            "sandboxes run --keep -l project=demo \"git init repo\"",
            "sandboxes list -l project=demo",
            "sandboxes shell -n dev                         # a terminal in a named sandbox; run it again to reattach",
            "sandboxes providers                            # what each provider can do, which have credentials here",
            "source <(sandboxes completion bash)");
    }
}
