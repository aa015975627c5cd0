using Spectre.Console;

namespace Sandboxes.Cli.Output;

/// <summary>
/// A spinner on stderr while the tool waits for something slow (creating a sandbox, installing a preset), shown only
/// when stderr is a terminal and not with <c>--quiet</c>, so that pipes and logs never see it.
/// </summary>
internal static class Progress
{
    /// <summary>Runs <paramref name="work"/> under a spinner showing <paramref name="status"/>; the library's events update it.</summary>
    public static async Task<T> RunAsync<T>(string status, bool quiet, ProgressLog log, Func<Action<string>, Task<T>> work)
    {
        if (quiet || !CliConsole.StderrIsTerminal)
        {
            return await work(_ => { }).ConfigureAwait(false);
        }

        return await CliConsole.Stderr.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(status), async context =>
            {
                void Update(string text) => context.Status(Markup.Escape(text));
                log.Listener = Update;
                try
                {
                    return await work(Update).ConfigureAwait(false);
                }
                finally
                {
                    log.Listener = null;
                }
            }).ConfigureAwait(false);
    }
}
