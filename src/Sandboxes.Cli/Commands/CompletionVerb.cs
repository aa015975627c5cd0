using System.CommandLine;
using Sandboxes.Cli.Completion;
using Sandboxes.Cli.Help;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes completion bash|zsh</c>: print a shell completion script generated from the command tree.</summary>
internal static class CompletionVerb
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "The shell: bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var verb = new Command("completion", "Print a shell completion script (bash or zsh).").WithExamples(
            "source <(sandboxes completion bash)            # in ~/.bashrc",
            "sandboxes completion bash > ~/.local/share/bash-completion/completions/sandboxes",
            "source <(sandboxes completion zsh)             # in ~/.zshrc, after compinit",
            "sandboxes completion zsh > \"${fpath[1]}/_sandboxes\"");
        verb.Add(shell);
        verb.SetAction(parse =>
        {
            var model = CompletionModel.From(parse.RootCommandResult.Command);
            Console.Out.Write(parse.GetValue(shell) == "zsh" ? ZshCompletion.Generate(model) : BashCompletion.Generate(model));
            return ExitCodes.Ok;
        });
        return verb;
    }
}
