using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;
using Spectre.Console;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes test [-p NAME]</c>: on each configured provider (or just <c>-p</c>'s), create a sandbox, run a command
/// in it, destroy it, and report how long each step took and whether it worked. Exits 0 when every provider passed,
/// 125 when any failed.
/// </summary>
internal static class TestVerb
{
    private const string Marker = "sandboxes-test-ok";

    /// <summary>One provider's result.</summary>
    private sealed record Outcome(string Provider, bool Ok, TimeSpan? Create, TimeSpan? Run, TimeSpan? Destroy, TimeSpan Total, string? SandboxId, string? Error);

    public static Command Create()
    {
        var verb = new Command("test", "Create a sandbox on each configured provider, run a command, destroy it; report times.").WithExamples(
            "sandboxes test",
            "sandboxes test -p e2b",
            "sandboxes test --json");
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Json);
        verb.Options.Add(CliContext.Quiet);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(CliContext.Json);
            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), parse.GetValue(CliContext.Quiet) || json);
            var outcomes = new List<Outcome>();
            foreach (var provider in session.Scope())
            {
                outcomes.Add(await Output.Progress.RunAsync($"Testing {provider}", session.Quiet, session.Log,
                    _ => TestAsync(session, provider, cancellationToken)).ConfigureAwait(false));
            }

            if (json)
            {
                CliConsole.WriteJson(new JsonArray(outcomes.Select(o => (JsonNode)new JsonObject
                {
                    ["provider"] = o.Provider,
                    ["ok"] = o.Ok,
                    ["sandbox_id"] = o.SandboxId,
                    ["create_ms"] = Milliseconds(o.Create),
                    ["run_ms"] = Milliseconds(o.Run),
                    ["destroy_ms"] = Milliseconds(o.Destroy),
                    ["total_ms"] = Milliseconds(o.Total),
                    ["error"] = o.Error,
                }).ToArray()));
            }
            else if (!session.Quiet)
            {
                var table = Tables.Create("PROVIDER", "RESULT", "CREATE", "RUN", "DESTROY", "TOTAL", "ERROR");
                foreach (var o in outcomes)
                {
                    table.AddRow(Tables.Cell(o.Provider), o.Ok ? Tables.Cell("ok", "green") : Tables.Cell("failed", "red"),
                        Tables.Cell(Tables.Duration(o.Create)), Tables.Cell(Tables.Duration(o.Run)), Tables.Cell(Tables.Duration(o.Destroy)),
                        Tables.Cell(Tables.Duration(o.Total)), Tables.Cell(o.Error ?? ""));
                }

                Tables.Write(table);
            }

            return outcomes.All(o => o.Ok) ? ExitCodes.Ok : ExitCodes.ProviderError;
        });
        return verb;
    }

    private static async Task<Outcome> TestAsync(CliSession session, string provider, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        TimeSpan? create = null, run = null, destroy = null;
        Sandbox? sandbox = null;
        try
        {
            session.RequireCredentials(provider);
            var step = Stopwatch.StartNew();
            sandbox = await session.Client.CreateAsync(new SandboxOptions { Provider = provider, Fallback = [] }, cancellationToken).ConfigureAwait(false);
            create = step.Elapsed;

            step.Restart();
            var result = await sandbox.RunCommandAsync(new RunCommandRequest($"echo {Marker}") { TimeoutSeconds = 60 }, cancellationToken).ConfigureAwait(false);
            run = step.Elapsed;
            if (result.ExitCode != 0 || result.Stdout.Trim() != Marker)
            {
                throw new ProviderException(provider, $"`echo {Marker}` exited {result.ExitCode} with {Quote(result.Stdout)} on stdout and {Quote(result.Stderr)} on stderr");
            }

            step.Restart();
            await sandbox.KillAsync(cancellationToken).ConfigureAwait(false);
            destroy = step.Elapsed;
            return new Outcome(provider, true, create, run, destroy, total.Elapsed, sandbox.Id, null);
        }
        catch (SandboxException e)
        {
            var (_, hint) = ErrorReporter.Classify(e);
            var message = SecretScrubber.Scrub(e.Message.ReplaceLineEndings(" ")) + (hint is null ? string.Empty : $" ({hint})");
            return new Outcome(provider, false, create, run, destroy, total.Elapsed, sandbox?.Id, message);
        }
        finally
        {
            if (sandbox is not null && destroy is null)
            {
                await KillQuietlyAsync(sandbox).ConfigureAwait(false);
            }
        }
    }

    private static async Task KillQuietlyAsync(Sandbox sandbox)
    {
        try
        {
            await sandbox.KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            // The test already failed; the report says so. A sandbox that cannot be killed shows in `sandboxes list`.
        }
    }

    private static double? Milliseconds(TimeSpan? duration) => duration is { } d ? Math.Round(d.TotalMilliseconds, 1) : null;

    private static string Quote(string text) => text.Length == 0 ? "nothing" : "'" + (text.Length > 200 ? text[..200] + "..." : text.Trim()) + "'";
}
