using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sandboxes.CodeExecution;
using Sandboxes.Providers.Daytona.Toolbox;

namespace Sandboxes.Providers.Daytona;

internal sealed partial class DaytonaProvider
{
    /// <summary>Seconds the toolbox's own timeout allows beyond the command's, so that the script's watchdog acts first.</summary>
    private const int ToolboxTimeoutGrace = 5;

    /// <summary>
    /// Native, in place of the kit's run (a session per process): one <c>POST /process/execute</c>. The wrapper keeps stdout
    /// and stderr apart and exact (the toolbox returns one combined text), feeds stdin, and kills the whole process tree at
    /// the deadline while keeping the output so far.
    /// </summary>
    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var nonce = Nonce.New();
        var script = CommandScript.Build(nonce, request);
        var started = Stopwatch.GetTimestamp();
        ExecuteResponse response;
        try
        {
            response = await InSandboxAsync(sandboxId, toolbox => toolbox.ExecuteCommandAsync(new ExecuteRequest
            {
                Command = script,
                // 0 tells the daemon not to time the command out itself (its documented default is 10 s).
                Timeout = request.TimeoutSeconds is { } t ? (long)Math.Ceiling(t) + ToolboxTimeoutGrace : 0,
            }, cancellationToken), notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException error) when (error.StatusCode == 408 && request.TimeoutSeconds is { } seconds)
        {
            // The toolbox's own timeout, a backstop that fires only if the script's watchdog could not.
            throw new SandboxTimeoutException(ProviderId, $"The command exceeded its timeout of {seconds.ToString(CultureInfo.InvariantCulture)} s.",
                TimeSpan.FromSeconds(seconds), innerException: error);
        }

        var (outcome, stdoutBytes, stderrBytes) = CommandOutcome.ParseCollected(nonce, response.Result);
        if (outcome.CwdMissing)
        {
            throw new BadConfigException(ProviderId, $"RunCommandRequest.Cwd '{request.Cwd}' is not a directory in the sandbox.");
        }

        if (outcome.ExitCode is not { } exitCode)
        {
            throw new ProviderException(ProviderId,
                $"The toolbox ran the command but reported no exit status (exit code {response.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}): "
                + Tail(response.Result));
        }

        var stdout = Encoding.UTF8.GetString(stdoutBytes);
        var stderr = Encoding.UTF8.GetString(stderrBytes);
        if (outcome.TimedOut)
        {
            throw outcome.TimeoutError(stdout, stderr);
        }

        return new CommandResult
        {
            Stdout = stdout,
            Stderr = stderr,
            ExitCode = exitCode,
            Duration = Stopwatch.GetElapsedTime(started),
            Error = ExitStatus.KilledBy(exitCode),
        };
    }

    /// <summary>The end of a toolbox answer, for error messages.</summary>
    private static string Tail(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "(no output)";
        }

        var tail = text.Length > 500 ? "..." + text[^500..] : text;
        return SecretScrubber.Scrub(tail.Trim());
    }
}
