using System.CommandLine;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes extend ID DURATION</c>: the sandbox now ends DURATION from now (its lifetime set again, on providers
/// that can change it; the others refuse with the reason).
/// </summary>
internal static class ExtendVerb
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "Sandbox id" };
        var duration = new Argument<string>("duration") { Description = "How long from now it lives: 90s, 30m, 2h, 1d" };
        var verb = new Command("extend", "Set a kept sandbox's lifetime again, counted from now.").WithExamples(
            "sandboxes extend sbx-abc123 1h",
            "sandboxes list                                 # EXPIRES shows the new end");
        verb.Add(id);
        verb.Add(duration);
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Quiet);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var seconds = SandboxFlags.ParseDuration(parse.GetValue(duration)!, "extend");
            var quiet = parse.GetValue(CliContext.Quiet);
            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet);
            var sandbox = await session.AttachAsync(parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            await using (sandbox.ConfigureAwait(false))
            {
                await sandbox.SetTimeoutAsync(seconds, cancellationToken).ConfigureAwait(false);
                if (!quiet)
                {
                    var info = await sandbox.InfoAsync(cancellationToken).ConfigureAwait(false);
                    var until = info.ExpiresAt is { } end ? Tables.Time(end) : DateTimeOffset.UtcNow.AddSeconds(seconds).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
                    Console.WriteLine($"extended {sandbox.Id} until {until}");
                }
            }

            return ExitCodes.Ok;
        });
        return verb;
    }
}
