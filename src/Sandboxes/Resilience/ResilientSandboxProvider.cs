using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// Wraps an adapter so that every one of its operations runs through the provider's resilience pipeline, with an
/// activity and metrics. The capability generator writes the forward of each operation from what its
/// <see cref="ProviderCapabilityAttribute"/> on <see cref="SandboxProvider"/> declares (name, idempotency, timing), as
/// calls of <see cref="ForwardAsync{T}"/> and <see cref="ForwardStream{T}"/>; the operations that need more than a
/// forward (create, run and stream a command, write a file) are written here, in the other parts of this class.
/// </summary>
/// <remarks>
/// <para>
/// Where the pipeline sits: around adapter operations, not in the HTTP stack. At this level the library knows what an
/// operation means: describing a sandbox is idempotent, starting a command is not, creating one can be made safe by a
/// label, even when a vendor does all three with POST. The adapter has already turned responses into typed errors
/// (<see cref="RateLimitException.RetryAfter"/>, <see cref="SandboxException.IsTransient"/>), and the same pipeline
/// serves providers that are not HTTP at all (local, Docker over a socket, Jupyter's WebSocket). HTTP adapters therefore
/// get plain <see cref="HttpClient"/>s (from <c>IHttpClientFactory</c> when a host has one) with no retry handler:
/// retrying in both places would multiply attempts (4 × 4) and retry POSTs blindly.
/// </para>
/// <para>
/// Operations that hand back a live result (file reads, streamed commands, terminals) are called with the caller's
/// token rather than the pipeline's, and without client-side timeouts: Polly pools and reuses its cancellation
/// sources, so a stream holding one could be cancelled by an unrelated call later.
/// </para>
/// </remarks>
[ForwardingDecorator]
internal sealed partial class ResilientSandboxProvider : SandboxProvider
{
    private static readonly TimeSpan Infinite = Timeout.InfiniteTimeSpan;
    private readonly SandboxProvider _inner;
    private readonly ProviderPipeline _pipeline;
    private readonly SandboxTimeoutOptions _timeouts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ResilientSandboxProvider(SandboxProvider inner, ProviderPipeline pipeline, SandboxResilienceOptions options, TimeProvider time, ILogger logger)
        : base(inner.Config)
    {
        _inner = inner;
        _pipeline = pipeline;
        _timeouts = options.Enabled ? options.Timeouts : new SandboxTimeoutOptions { Attempt = Infinite, Create = Infinite, Operation = Infinite };
        _time = time;
        _logger = logger;
    }

    /// <summary>Puts <paramref name="inner"/> behind a pipeline built from <paramref name="options"/>: the one way clients wrap an adapter.</summary>
    public static ResilientSandboxProvider Wrap(SandboxProvider inner, SandboxResilienceOptions options, TimeProvider time, ILogger logger) =>
        new(inner, ProviderPipeline.Build(inner.Name, options, time, logger), options, time, logger);

    public override ProviderDescriptor Descriptor => _inner.Descriptor;

    /// <summary>The adapter underneath; the generated forwards call it.</summary>
    public SandboxProvider Inner => _inner;

    public ProviderPipeline Pipeline => _pipeline;

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A probe for health checks: one listing call, through the breaker but never retried.</summary>
    internal Task ProbeAsync(CancellationToken cancellationToken) =>
        ExecuteAsync("health", Idempotency.Never, _timeouts.Attempt, _timeouts.Attempt,
            ct => _inner.ListSandboxesAsync(new ListSandboxesFilter { Limit = 1 }, ct), cancellationToken);

    // ---- What the generated forwards call ----

    /// <summary>Runs one operation through the pipeline with the retries its idempotency allows and the timeouts of its timing.</summary>
    private Task<T> ForwardAsync<T>(string operation, bool idempotent, OperationTiming timing, Func<CancellationToken, Task<T>> call,
        CancellationToken cancellationToken)
    {
        var (attempt, whole) = timing == OperationTiming.Quick ? (_timeouts.Attempt, _timeouts.Operation) : (Infinite, Infinite);
        return ExecuteAsync(operation, idempotent ? Idempotency.Idempotent : Idempotency.NotIdempotent, attempt, whole, call, cancellationToken);
    }

    /// <inheritdoc cref="ForwardAsync{T}"/>
    private Task ForwardAsync(string operation, bool idempotent, OperationTiming timing, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        ForwardAsync(operation, idempotent, timing, ct => Unit(call(ct)), cancellationToken);

    /// <summary>Runs a stream through the pipeline up to its first element; see <see cref="StreamThroughPipelineAsync{T}"/>.</summary>
    private IAsyncEnumerable<T> ForwardStream<T>(string operation, bool idempotent, IAsyncEnumerable<T> source, CancellationToken cancellationToken) =>
        StreamThroughPipelineAsync(operation, idempotent ? Idempotency.Idempotent : Idempotency.NotIdempotent, source, cancellationToken);

    // ---- Plumbing ----

    private async Task<T> ExecuteAsync<T>(string operation, Idempotency idempotency, TimeSpan attemptTimeout, TimeSpan operationTimeout,
        Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool isCommand = false, bool traced = true)
    {
        // Create and run-command start their own, richer activity; every other operation gets one here.
        using var activity = traced ? Start(operation) : null;
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        context.Properties.Set(ResilienceKeys.Operation, operation);
        context.Properties.Set(ResilienceKeys.Idempotency, idempotency);
        context.Properties.Set(ResilienceKeys.AttemptTimeout, attemptTimeout);
        context.Properties.Set(ResilienceKeys.OperationTimeout, operationTimeout);
        try
        {
            return await _pipeline.Pipeline.ExecuteAsync(
                static async (ctx, call) => await call(ctx.CancellationToken).ConfigureAwait(false), context, call).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new CircuitOpenException(Name,
                $"The circuit of provider '{Name}' is open after repeated provider-side failures; {operation} was not sent." +
                (e.RetryAfter is { } wait ? $" A probe is let through in {wait.TotalSeconds:0.#} s." : string.Empty), e.RetryAfter, e);
        }
        catch (TimeoutRejectedException e) when (!cancellationToken.IsCancellationRequested)
        {
            var message = $"Provider '{Name}' gave no answer to {operation} within {e.Timeout.TotalSeconds:0.#} s.";
            if (isCommand)
            {
                throw new SandboxTimeoutException(Name, message + " The command may still be running.", e.Timeout, innerException: e);
            }

            throw new ProviderException(Name, message, innerException: new TimeoutException(message, e));
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Runs a stream through the pipeline up to its first element: the request is sent and accepted (or retried, as the
    /// operation's idempotency allows) inside it, and the rest flows to the caller without re-entering it.
    /// </summary>
    private async IAsyncEnumerable<T> StreamThroughPipelineAsync<T>(string operation, Idempotency idempotency,
        IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (enumerator, any) = await ExecuteAsync(operation, idempotency, Infinite, Infinite, async _ =>
        {
            // Each attempt enumerates the source afresh, which sends the request again.
            var e = source.GetAsyncEnumerator(cancellationToken);
            try
            {
                return (e, await e.MoveNextAsync().ConfigureAwait(false));
            }
            catch
            {
                await e.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);

        await using (enumerator.ConfigureAwait(false))
        {
            if (!any)
            {
                yield break;
            }

            yield return enumerator.Current;
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                yield return enumerator.Current;
            }
        }
    }

    private Activity? Start(string operation, string? sandboxId = null)
    {
        var activity = SandboxTelemetry.ActivitySource.StartActivity("sandboxes." + operation, ActivityKind.Client);
        activity?.SetTag(SandboxDiagnostics.ProviderTag, Name);
        if (sandboxId is not null)
        {
            activity?.SetTag("sandboxes.sandbox.id", sandboxId);
        }

        return activity;
    }

    private static async Task<bool> Unit(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
