using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;
using Spectre.Console;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes list</c>: the sandboxes of every configured provider (or of <c>-p</c>), optionally filtered by labels,
/// as a table, as JSON, or as bare ids (<c>-q</c>, for scripts and shell completion).
/// </summary>
internal static class ListVerb
{
    /// <summary>The label that names a sandbox (<c>shell -n</c>, <c>claude -n</c>).</summary>
    public const string NameLabel = "sandboxes.name";

    public static Command Create()
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the ids, one per line" };
        var verb = new Command("list", "List sandboxes (every configured provider's, or -p's).").WithExamples(
            "sandboxes list",
            "sandboxes list -p e2b",
            "sandboxes list -l project=demo --json",
            "sandboxes list -q | xargs -r sandboxes destroy   # ids only");
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Labels);
        verb.Options.Add(CliContext.Json);
        verb.Options.Add(quiet);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var labels = CliContext.ParsePairs(parse.GetValue(CliContext.Labels), "-l/--label");
            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet: true);
            var (sandboxes, failed) = await ListAsync(session, labels, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(quiet) && !parse.GetValue(CliContext.Json))
            {
                foreach (var sandbox in sandboxes)
                {
                    Console.WriteLine(sandbox.Id);
                }
            }
            else
            {
                Print(sandboxes, parse.GetValue(CliContext.Json));
            }

            return failed ? ExitCodes.ProviderError : ExitCodes.Ok;
        });
        return verb;
    }

    /// <summary>
    /// Lists the sandboxes of every provider in the session's scope. A provider that fails is reported on stderr and
    /// skipped, so one unreachable cloud does not hide the rest; <c>Failed</c> says whether any did.
    /// </summary>
    internal static async Task<(List<SandboxInfo> Sandboxes, bool Failed)> ListAsync(CliSession session, IReadOnlyDictionary<string, string> labels,
        CancellationToken cancellationToken)
    {
        var scope = session.Scope();
        var all = new List<SandboxInfo>();
        var failed = false;
        foreach (var provider in scope)
        {
            try
            {
                var found = await session.Sandboxer(provider)
                    .ListSandboxesAsync(new ListSandboxesFilter { Labels = labels.Count > 0 ? labels : null }, cancellationToken).ConfigureAwait(false);
                all.AddRange(found);
            }
            catch (SandboxException e) when (scope.Count > 1)
            {
                failed = true;
                var (_, hint) = ErrorReporter.Classify(e);
                Console.Error.WriteLine($"sandboxes: {provider}: {SecretScrubber.Scrub(e.Message.ReplaceLineEndings(" "))}" + (hint is null ? string.Empty : $" ({hint})"));
            }
        }

        return (all, failed);
    }

    internal static JsonArray ToJson(IEnumerable<SandboxInfo> sandboxes)
    {
        var array = new JsonArray();
        foreach (var s in sandboxes)
        {
            var labels = new JsonObject();
            foreach (var (key, value) in s.Labels)
            {
                labels[key] = value;
            }

            array.Add(new JsonObject
            {
                ["id"] = s.Id,
                ["provider"] = s.Provider,
                ["name"] = NameOf(s),
                ["status"] = s.Status.Value,
                ["template"] = s.Template,
                ["started_at"] = s.StartedAt?.ToString("O", CultureInfo.InvariantCulture),
                ["expires_at"] = s.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture),
                ["labels"] = labels,
                ["cpus"] = s.Cpus,
                ["memory_mb"] = s.MemoryMb,
            });
        }

        return array;
    }

    /// <summary>A sandbox's name: its <see cref="NameLabel"/> label, else the provider's name for it.</summary>
    internal static string? NameOf(SandboxInfo sandbox) =>
        sandbox.Labels.TryGetValue(NameLabel, out var name) ? name : sandbox.Name;

    /// <summary>Prints sandboxes as JSON or as a table (a note on stderr when there are none).</summary>
    internal static void Print(IReadOnlyList<SandboxInfo> sandboxes, bool json)
    {
        if (json)
        {
            CliConsole.WriteJson(ToJson(sandboxes));
            return;
        }

        if (sandboxes.Count == 0)
        {
            Console.Error.WriteLine("No sandboxes.");
            return;
        }

        var table = Tables.Create("ID", "PROVIDER", "NAME", "STATUS", "STARTED", "EXPIRES", "LABELS");
        foreach (var s in sandboxes.OrderBy(s => s.StartedAt ?? DateTimeOffset.MinValue))
        {
            // The library's own labels (creation ids, names) are plumbing: JSON shows them, the table does not.
            var labels = string.Join(",", s.Labels.Where(kv => !kv.Key.StartsWith("sandboxes.", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value}"));
            table.AddRow(
                Tables.Cell(s.Id), Tables.Cell(s.Provider), Tables.Cell(NameOf(s) ?? ""), Tables.Status(s.Status),
                Tables.Cell(Tables.Time(s.StartedAt)), Tables.Cell(Tables.Time(s.ExpiresAt)), Tables.Cell(labels));
        }

        Tables.Write(table);
    }
}
