using System.CommandLine;
using Sandboxes.Cli.Help;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes pause ID...</c>: freeze every process of the sandboxes; nothing is lost.</summary>
internal static class PauseVerb
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("id") { Description = "Sandbox ids", Arity = ArgumentArity.OneOrMore };
        var verb = new Command("pause", "Freeze sandboxes (commands are refused until `resume`).").WithExamples(
            "sandboxes pause sbx-abc123",
            "sandboxes resume sbx-abc123");
        verb.Add(ids);
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Quiet);
        verb.SetAction((parse, cancellationToken) => ForEachAsync(parse, ids, "paused", (s, ct) => s.PauseAsync(ct), cancellationToken));
        return verb;
    }

    /// <summary>Attaches to each sandbox, applies <paramref name="action"/> and reports it on stdout.</summary>
    internal static async Task<int> ForEachAsync(ParseResult parse, Argument<string[]> ids, string done,
        Func<Sandbox, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        var quiet = parse.GetValue(CliContext.Quiet);
        await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet);
        foreach (var id in parse.GetValue(ids) ?? [])
        {
            var sandbox = await session.AttachAsync(id, cancellationToken).ConfigureAwait(false);
            await action(sandbox, cancellationToken).ConfigureAwait(false);
            if (!quiet)
            {
                Console.WriteLine($"{done} {id}");
            }
        }

        return ExitCodes.Ok;
    }
}
