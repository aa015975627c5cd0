using System.CommandLine;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes port ID PORT</c>: print the URL at which a server listening on PORT inside the sandbox is reachable.
/// A cloud provider's URL is permanent and the tool exits at once. A URL on this machine's loopback is a forward held
/// by this process (the local provider joins the sandbox's network namespace), so, like <c>kubectl port-forward</c>,
/// the tool keeps running until Ctrl-C, or until the sandbox is gone.
/// </summary>
internal static class PortVerb
{
    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sandbox id" };
        var port = new Argument<int>("port") { Description = "The port a server listens on inside the sandbox" };
        var verb = new Command("port", "Print the URL of a port of a sandbox (forwarding it while running, for local sandboxes).").WithExamples(
            "sandboxes port sbx-abc123 8080                 # prints http://127.0.0.1:41234/ and forwards until Ctrl-C",
            "url=$(sandboxes port -q sbx-abc123 8080 | head -1)");
        verb.Add(id);
        verb.Add(port);
        verb.Options.Add(CliContext.Provider);
        verb.Options.Add(CliContext.Quiet);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            var quiet = parse.GetValue(CliContext.Quiet);
            var number = parse.GetValue(port);
            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet);
            var sandbox = await session.AttachAsync(parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var url = await sandbox.PortUrlAsync(number, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(url);
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (!url.IsLoopback)
            {
                return ExitCodes.Ok;
            }

            CliConsole.Note($"forwarding {url} to port {number} of {sandbox.Id}; the forward lasts while this command runs (Ctrl-C to stop)", quiet);
            try
            {
                while (true)
                {
                    await Task.Delay(Liveness, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        await sandbox.InfoAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (NotFoundException)
                    {
                        Console.Error.WriteLine($"sandboxes: sandbox {sandbox.Id} is gone; forward closed");
                        return ExitCodes.ProviderError;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C is how a forward ends: not an error.
                return ExitCodes.Ok;
            }
        });
        return verb;
    }
}
