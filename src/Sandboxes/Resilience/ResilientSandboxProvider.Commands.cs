using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Sandboxes;

// Running and streaming a command: forwards plus their own activity and the command-duration metric, and a run's attempt
// timeout taken from the command's own timeout rather than the options.
internal sealed partial class ResilientSandboxProvider
{
    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        using var activity = Start("command", sandboxId);
        var started = _time.GetTimestamp();
        var outcome = "error";
        try
        {
            // Never cut a command short on the client: wait for its own timeout, plus grace for the provider to report it.
            var attempt = request.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) + _timeouts.CommandGrace : Infinite;
            if (_timeouts.Attempt == Infinite)
            {
                attempt = Infinite;
            }

            var result = await ExecuteAsync("command", Idempotency.NotIdempotent, attempt, Infinite,
                ct => _inner.RunCommandAsync(sandboxId, request, ct), cancellationToken, isCommand: true, traced: false).ConfigureAwait(false);
            outcome = result.Succeeded ? "success" : "nonzero_exit";
            activity?.SetTag("process.exit.code", result.ExitCode);
            return result;
        }
        catch (SandboxTimeoutException)
        {
            outcome = "timeout";
            throw;
        }
        finally
        {
            SandboxTelemetry.CommandDuration.Record(_time.GetElapsedTime(started).TotalSeconds, SandboxTelemetry.Provider(Name), new("outcome", outcome));
        }
    }

    public override IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        // Called now, not on first iteration: a capability gap throws at call time, as the adapter contract says.
        var source = _inner.StreamCommandAsync(sandboxId, request, cancellationToken);
        return MeasureCommandAsync(StreamThroughPipelineAsync("command.stream", Idempotency.NotIdempotent, source, cancellationToken), cancellationToken);
    }

    private async IAsyncEnumerable<CommandEvent> MeasureCommandAsync(IAsyncEnumerable<CommandEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var outcome = "error";
        try
        {
            await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (e.Kind == CommandEventKind.Exit)
                {
                    outcome = e.ExitCode == 0 ? "success" : "nonzero_exit";
                }

                yield return e;
            }
        }
        finally
        {
            SandboxTelemetry.CommandDuration.Record(_time.GetElapsedTime(started).TotalSeconds, SandboxTelemetry.Provider(Name), new("outcome", outcome));
        }
    }
}
