namespace Sandboxes.Cli.Commands;

/// <summary>Streams a command's output to the tool's own stdout and stderr as it arrives, and returns its exit code.</summary>
internal static class OutputCopier
{
    public static async Task<int> StreamAsync(Sandbox sandbox, RunCommandRequest request, CancellationToken cancellationToken)
    {
        if (!sandbox.Capabilities.Supports(Capability.CommandsStream))
        {
            var result = await sandbox.RunCommandAsync(request, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteAsync(result.Stdout).ConfigureAwait(false);
            await Console.Error.WriteAsync(result.Stderr).ConfigureAwait(false);
            return Report(result.ExitCode, result.Error);
        }

        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        await foreach (var e in sandbox.StreamCommandAsync(request, cancellationToken).ConfigureAwait(false))
        {
            switch (e.Kind)
            {
                case CommandEventKind.Stdout:
                    await stdout.WriteAsync(System.Text.Encoding.UTF8.GetBytes(e.Text), cancellationToken).ConfigureAwait(false);
                    await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case CommandEventKind.Stderr:
                    await stderr.WriteAsync(System.Text.Encoding.UTF8.GetBytes(e.Text), cancellationToken).ConfigureAwait(false);
                    await stderr.FlushAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case CommandEventKind.Exit:
                    return Report(e.ExitCode ?? ExitCodes.ProviderError, e.Error);
            }
        }

        return ExitCodes.ProviderError;
    }

    private static int Report(int exitCode, string? error)
    {
        if (error is not null)
        {
            Console.Error.WriteLine("sandboxes: " + error);
        }

        return exitCode;
    }
}
