using System.CommandLine;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes destroy ID</c> or <c>destroy --all [-l KEY=VALUE]</c>.</summary>
internal static class DestroyVerb
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("id") { Description = "Sandbox ids", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Destroy every sandbox (matching -l labels, when given)" };
        var verb = new Command("destroy", """
            Destroy sandboxes.

            Examples:
              sandboxes destroy sbx-abc123
              sandboxes destroy --all -l project=demo
            """)
        {
            ids, all, CliContext.Provider, CliContext.Labels, CliContext.Quiet,
        };
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(ids) ?? [];
            var labels = CliContext.ParsePairs(parse.GetValue(CliContext.Labels), "-l/--label");
            var everything = parse.GetValue(all);
            if (given.Length == 0 && !everything)
            {
                throw new BadConfigException(string.Empty, "Name the sandboxes to destroy, or pass --all.");
            }

            if (given.Length > 0 && everything)
            {
                throw new BadConfigException(string.Empty, "Pass sandbox ids or --all, not both.");
            }

            await using var client = CliContext.CreateClient(parse.GetValue(CliContext.Provider));
            var targets = everything
                ? (await client.ListSandboxesAsync(new ListSandboxesFilter { Metadata = labels.Count > 0 ? labels : null }, cancellationToken).ConfigureAwait(false))
                    .Select(s => s.Id).ToArray()
                : given;
            foreach (var id in targets)
            {
                await client.KillSandboxAsync(id, cancellationToken).ConfigureAwait(false);
                if (!parse.GetValue(CliContext.Quiet))
                {
                    Console.WriteLine($"destroyed {id}");
                }
            }

            return ExitCodes.Ok;
        });
        return verb;
    }
}
