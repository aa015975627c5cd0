using System.CommandLine;
using Sandboxes.Cli.Help;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes exec ID "cmd"</c>: run a command in an existing sandbox, stream its output, exit with its code.</summary>
internal static class ExecVerb
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sandbox id (see `sandboxes list`)" };
        var command = new Argument<string[]>("command") { Description = "The shell command line (quote it, or put it after --)", Arity = ArgumentArity.OneOrMore };
        var timeout = new Option<double?>("--timeout", "-t") { Description = "Seconds after which the command is killed" };
        var verb = new Command("exec", "Run a command in an existing sandbox and exit with its exit code.").WithExamples(
            "sandboxes exec sbx-abc123 \"ls -la\"",
            "sandboxes exec -e DEBUG=1 sbx-abc123 \"make test\"",
            "sandboxes exec -p e2b i0x1y2z3 \"python3 app.py\"   # -p skips looking the id up on each provider");
        verb.Add(id);
        verb.Add(command);
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Env);
        verb.Options.Add(timeout);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var env = CliContext.ParsePairs(parse.GetValue(CliContext.Env), "-e/--env");
            var request = new RunCommandRequest(CliContext.CommandLine(parse, parse.GetValue(command)))
            {
                Env = env.Count > 0 ? env : null,
                TimeoutSeconds = parse.GetValue(timeout),
            };
            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider));
            var sandbox = await session.AttachAsync(parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            return await OutputCopier.StreamAsync(sandbox, request, cancellationToken).ConfigureAwait(false);
        });
        return verb;
    }
}
