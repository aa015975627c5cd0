using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;
using Spectre.Console;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes snapshot ID</c>: save a sandbox's state and print the snapshot id (start from it with
/// <c>run --snapshot</c> or <c>shell --snapshot</c>); <c>--list</c> and <c>--delete</c> manage saved snapshots.
/// </summary>
internal static class SnapshotVerb
{
    public static Command Create()
    {
        var id = new Argument<string?>("id") { Description = "The sandbox to snapshot", Arity = ArgumentArity.ZeroOrOne };
        var name = new Option<string?>("--name", "-n") { Description = "A name for the snapshot" };
        var list = new Option<bool>("--list") { Description = "List snapshots instead" };
        var delete = new Option<string?>("--delete") { Description = "Delete this snapshot instead" };
        var verb = new Command("snapshot", "Save a sandbox's state as a snapshot; print its id.").WithExamples(
            "sandboxes snapshot sbx-abc123 -n before-upgrade",
            "sandboxes shell --snapshot snap-123            # a new sandbox from it",
            "sandboxes run --snapshot snap-123 \"ls\"",
            "sandboxes snapshot --list --json",
            "sandboxes snapshot --delete snap-123");
        verb.Add(id);
        verb.Options.Add(name);
        verb.Options.Add(list);
        verb.Options.Add(delete);
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Json);
        verb.Options.Add(CliContext.Quiet);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var sandboxId = parse.GetValue(id);
            var listing = parse.GetValue(list);
            var deleting = parse.GetValue(delete);
            if ((sandboxId is not null ? 1 : 0) + (listing ? 1 : 0) + (deleting is not null ? 1 : 0) != 1)
            {
                throw new BadConfigException(string.Empty, "Give a sandbox id to snapshot, or --list, or --delete SNAPSHOT.");
            }

            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), parse.GetValue(CliContext.Quiet));
            if (listing)
            {
                return await ListAsync(session, parse.GetValue(CliContext.Json), cancellationToken).ConfigureAwait(false);
            }

            if (deleting is not null)
            {
                await session.Sandboxer().DeleteSnapshotAsync(deleting, cancellationToken).ConfigureAwait(false);
                CliConsole.Note($"deleted snapshot {deleting}", session.Quiet);
                return ExitCodes.Ok;
            }

            var sandbox = await session.AttachAsync(sandboxId!, cancellationToken).ConfigureAwait(false);
            var snapshot = await sandbox.CreateSnapshotAsync(parse.GetValue(name), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(CliContext.Json))
            {
                CliConsole.WriteJson(ToJson(snapshot, sandbox.Provider));
            }
            else
            {
                Console.WriteLine(snapshot.Id);
            }

            return ExitCodes.Ok;
        });
        return verb;
    }

    private static async Task<int> ListAsync(CliSession session, bool json, CancellationToken cancellationToken)
    {
        var rows = new List<(string Provider, SnapshotInfo Snapshot)>();
        foreach (var provider in session.Scope())
        {
            if (!SandboxProviders.Describe(provider).Capabilities.Supports(Capability.Snapshot))
            {
                continue;
            }

            foreach (var snapshot in await session.Sandboxer(provider).ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((provider, snapshot));
            }
        }

        if (json)
        {
            CliConsole.WriteJson(new JsonArray(rows.Select(r => (JsonNode)ToJson(r.Snapshot, r.Provider)).ToArray()));
            return ExitCodes.Ok;
        }

        if (rows.Count == 0)
        {
            Console.Error.WriteLine("No snapshots.");
            return ExitCodes.Ok;
        }

        var table = Tables.Create("ID", "PROVIDER", "NAME", "FROM", "CREATED", "SIZE");
        foreach (var (provider, s) in rows.OrderBy(r => r.Snapshot.CreatedAt ?? DateTimeOffset.MinValue))
        {
            table.AddRow(Tables.Cell(s.Id), Tables.Cell(provider), Tables.Cell(s.Name ?? ""), Tables.Cell(s.SandboxId ?? ""),
                Tables.Cell(Tables.Time(s.CreatedAt)), Tables.Cell(s.SizeBytes is { } b ? Size(b) : ""));
        }

        Tables.Write(table);
        return ExitCodes.Ok;
    }

    private static JsonObject ToJson(SnapshotInfo snapshot, string provider)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in snapshot.Labels)
        {
            labels[key] = value;
        }

        return new JsonObject
        {
            ["id"] = snapshot.Id,
            ["provider"] = provider,
            ["name"] = snapshot.Name,
            ["sandbox_id"] = snapshot.SandboxId,
            ["created_at"] = snapshot.CreatedAt?.ToString("O", CultureInfo.InvariantCulture),
            ["size_bytes"] = snapshot.SizeBytes,
            ["labels"] = labels,
        };
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
