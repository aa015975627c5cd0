using System.CommandLine;
using Sandboxes.Cli.Help;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes resume ID...</c>: continue paused sandboxes where they stopped.</summary>
internal static class ResumeVerb
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("id") { Description = "Sandbox ids", Arity = ArgumentArity.OneOrMore };
        var verb = new Command("resume", "Continue paused sandboxes.").WithExamples("sandboxes resume sbx-abc123");
        verb.Add(ids);
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Quiet);
        verb.SetAction((parse, cancellationToken) => PauseVerb.ForEachAsync(parse, ids, "resumed", (s, ct) => s.ResumeAsync(ct), cancellationToken));
        return verb;
    }
}
