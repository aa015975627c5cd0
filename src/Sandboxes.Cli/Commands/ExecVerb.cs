using System.CommandLine;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sandboxes exec ID "cmd"</c>: run a command in an existing sandbox.</summary>
internal static class ExecVerb
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sandbox id" };
        var command = new Argument<string[]>("command") { Description = "The shell command line", Arity = ArgumentArity.OneOrMore };
        var timeout = new Option<double?>("--timeout", "-t") { Description = "Seconds after which the command is killed" };
        var verb = new Command("exec", """
            Run a command in an existing sandbox and exit with its exit code.

            Examples:
              sandboxes exec sbx-abc123 "ls -la"
              sandboxes exec -e DEBUG=1 sbx-abc123 "make test"
            """)
        {
            id, command, CliContext.Provider, CliContext.Env, timeout,
        };
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var env = CliContext.ParsePairs(parse.GetValue(CliContext.Env), "-e/--env");
            await using var client = CliContext.CreateClient(parse.GetValue(CliContext.Provider));
            var sandbox = await client.AttachSandboxAsync(parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var request = new RunCommandRequest(string.Join(' ', parse.GetValue(command) ?? []))
            {
                Env = env.Count > 0 ? env : null,
                TimeoutSeconds = parse.GetValue(timeout),
            };
            return await OutputCopier.StreamAsync(sandbox, request, cancellationToken).ConfigureAwait(false);
        });
        return verb;
    }
}
