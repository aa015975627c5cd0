using System.CommandLine;
using Sandboxes.Cli.Help;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes destroy ID...</c> or <c>destroy --all [-l KEY=VALUE]</c>: kill sandboxes and everything in them.</summary>
internal static class DestroyVerb
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("id") { Description = "Sandbox ids", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Destroy every sandbox `sandboxes list` shows (with the same -p and -l)" };
        var verb = new Command("destroy", "Destroy sandboxes.").WithExamples(
            "sandboxes destroy sbx-abc123",
            "sandboxes destroy --all -l project=demo",
            "sandboxes destroy --all -p local");
        verb.Add(ids);
        verb.Options.Add(all);
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Labels);
        verb.Options.Add(CliContext.Quiet);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(ids) ?? [];
            var labels = CliContext.ParsePairs(parse.GetValue(CliContext.Labels), "-l/--label");
            var everything = parse.GetValue(all);
            var quiet = parse.GetValue(CliContext.Quiet);
            if (given.Length == 0 && !everything)
            {
                throw new BadConfigException(string.Empty, "Name the sandboxes to destroy, or pass --all.");
            }

            if (given.Length > 0 && everything)
            {
                throw new BadConfigException(string.Empty, "Pass sandbox ids or --all, not both.");
            }

            if (labels.Count > 0 && !everything)
            {
                throw new BadConfigException(string.Empty, "-l selects what --all destroys; with ids, leave it out.");
            }

            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet);
            var failed = false;
            if (everything)
            {
                var (targets, listFailed) = await ListVerb.ListAsync(session, labels, cancellationToken).ConfigureAwait(false);
                failed = listFailed;
                foreach (var target in targets)
                {
                    await session.Sandboxer(target.Provider).KillSandboxAsync(target.Id, cancellationToken).ConfigureAwait(false);
                    Destroyed(target.Id, quiet);
                }
            }
            else
            {
                foreach (var id in given)
                {
                    var sandbox = await session.AttachAsync(id, cancellationToken).ConfigureAwait(false);
                    await sandbox.KillAsync(cancellationToken).ConfigureAwait(false);
                    Destroyed(id, quiet);
                }
            }

            return failed ? ExitCodes.ProviderError : ExitCodes.Ok;
        });
        return verb;
    }

    private static void Destroyed(string id, bool quiet)
    {
        if (!quiet)
        {
            Console.WriteLine($"destroyed {id}");
        }
    }
}
