using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes list</c>: the provider's sandboxes, optionally filtered by labels, as a table or JSON.</summary>
internal static class ListVerb
{
    public static Command Create()
    {
        var verb = new Command("list", """
            List sandboxes.

            Examples:
              sandboxes list
              sandboxes list -l project=demo --json
            """)
        {
            CliContext.Provider, CliContext.Labels, CliContext.Json,
        };
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var labels = CliContext.ParsePairs(parse.GetValue(CliContext.Labels), "-l/--label");
            await using var client = CliContext.CreateClient(parse.GetValue(CliContext.Provider));
            var sandboxes = await client.ListSandboxesAsync(new ListSandboxesFilter { Metadata = labels.Count > 0 ? labels : null }, cancellationToken)
                .ConfigureAwait(false);
            if (parse.GetValue(CliContext.Json))
            {
                Console.WriteLine(ToJson(sandboxes).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                PrintTable(sandboxes);
            }

            return ExitCodes.Ok;
        });
        return verb;
    }

    internal static JsonArray ToJson(IEnumerable<SandboxInfo> sandboxes)
    {
        var array = new JsonArray();
        foreach (var s in sandboxes)
        {
            var labels = new JsonObject();
            foreach (var (key, value) in s.Metadata)
            {
                labels[key] = value;
            }

            array.Add(new JsonObject
            {
                ["id"] = s.Id,
                ["provider"] = s.Provider,
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

    private static void PrintTable(IReadOnlyList<SandboxInfo> sandboxes)
    {
        if (sandboxes.Count == 0)
        {
            Console.Error.WriteLine("No sandboxes.");
            return;
        }

        var rows = sandboxes.Select(s => new[]
        {
            s.Id, s.Status.Value, s.StartedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "",
            string.Join(",", s.Metadata.Select(kv => $"{kv.Key}={kv.Value}")),
        }).ToList();
        string[] headers = ["ID", "STATUS", "STARTED", "LABELS"];
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
