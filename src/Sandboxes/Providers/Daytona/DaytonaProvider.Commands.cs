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
    /// One <c>POST /process/execute</c>: the wrapper keeps stdout and stderr apart and exact (the toolbox returns one combined
    /// text), feeds stdin, and kills the whole process tree at the deadline while keeping the output so far.
    /// </summary>
    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var nonce = Nonce.New();
        var script = CommandScript.Build(nonce, request, CommandScript.Output.Collect, CommandScript.Input.Fixed);
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

    /// <summary>Emulated: the toolbox has no signal call, so <c>kill</c> runs as a command.</summary>
    public override async Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken)
    {
        var p = pid.ToString(CultureInfo.InvariantCulture);
        var s = ((int)signal).ToString(CultureInfo.InvariantCulture);
        var response = await InSandboxAsync(sandboxId, toolbox => toolbox.ExecuteCommandAsync(new ExecuteRequest
        {
            Command = $"if kill -0 {p} 2>/dev/null; then kill -{s} {p}; else exit 3; fi",
            Timeout = 30,
        }, cancellationToken), notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        switch (response.ExitCode)
        {
            case 0:
                return;
            case 3:
                throw new NotFoundException(ProviderId, $"Daytona sandbox {sandboxId} has no process {p}.");
            default:
                throw new ProviderException(ProviderId, $"Signal {s} could not be sent to process {p}: {Tail(response.Result)}");
        }
    }

    /// <summary>Emulated: the toolbox has no process list, so <c>/proc</c> is read by a command.</summary>
    public override async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken)
    {
        const string script = """
            for d in /proc/[0-9]*; do
              c=$(tr '\0' ' ' < "$d/cmdline" 2>/dev/null) || continue
              [ -n "$c" ] || continue
              u=$(stat -c %U "$d" 2>/dev/null) || continue
              printf '%s\t%s\t%s\n' "${d#/proc/}" "$u" "$c"
            done
            """;
        var response = await InSandboxAsync(sandboxId, toolbox => toolbox.ExecuteCommandAsync(new ExecuteRequest { Command = script, Timeout = 30 },
            cancellationToken), notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        var processes = new List<ProcessInfo>();
        foreach (var line in response.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t', 3);
            if (fields.Length == 3 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                processes.Add(new ProcessInfo(pid, fields[2].TrimEnd(), fields[1]));
            }
        }

        return processes;
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
