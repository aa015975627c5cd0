using System.CommandLine;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes run "cmd"</c>: create a sandbox, run the command with live output, exit with its code, destroy the sandbox.</summary>
internal static class RunVerb
{
    public static Command Create()
    {
        var command = new Argument<string[]>("command") { Description = "The shell command line (quote it, or put it after --)", Arity = ArgumentArity.OneOrMore };
        var timeout = new Option<double?>("--timeout", "-t") { Description = "Seconds after which the command is killed" };
        var keep = new Option<bool>("--keep") { Description = "Keep the sandbox after the command (prints its id)" };
        var verb = new Command("run", """
            Run a command in a new sandbox and exit with its exit code.

            Examples:
              sandboxes run "echo hello"
              sandboxes run -e MODE=test -t 30 "python3 script.py"
              sandboxes run --keep -l project=demo "git clone https://example.com/repo"
            """)
        {
            command, CliContext.Provider, CliContext.Env, CliContext.Labels, timeout, keep, CliContext.Quiet,
        };
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var line = string.Join(' ', parse.GetValue(command) ?? []);
            var env = CliContext.ParsePairs(parse.GetValue(CliContext.Env), "-e/--env");
            var labels = CliContext.ParsePairs(parse.GetValue(CliContext.Labels), "-l/--label");
            var kept = parse.GetValue(keep);
            var quiet = parse.GetValue(CliContext.Quiet);
            await using var client = CliContext.CreateClient(parse.GetValue(CliContext.Provider));
            var (sandbox, info) = await client.CreateSandboxAsync(new CreateSandboxRequest
            {
                Metadata = labels.Count > 0 ? labels : null,
                Envs = env.Count > 0 ? env : null,
                Keep = kept,
            }, cancellationToken).ConfigureAwait(false);
            await using (sandbox.ConfigureAwait(false))
            {
                var exit = await OutputCopier.StreamAsync(sandbox, new RunCommandRequest(line) { TimeoutSeconds = parse.GetValue(timeout) }, cancellationToken)
                    .ConfigureAwait(false);
                if (kept && !quiet)
                {
                    await Console.Error.WriteLineAsync($"sandboxes: kept sandbox {info.Id} (sandboxes exec {info.Id} \"...\"; sandboxes destroy {info.Id})")
                        .ConfigureAwait(false);
                }

                return exit;
            }
        });
        return verb;
    }
}
