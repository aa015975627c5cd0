using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Sandboxes;

/// <summary>
/// The one resilience pipeline of a provider, built once when a client first uses the provider and shared by every
/// operation on it (so the circuit breaker sees all of the provider's traffic). From the outside in:
/// <list type="number">
/// <item>operation timeout: bounds a whole operation, retries and delays included;</item>
/// <item>retry: exponential backoff with jitter, or the provider's <c>Retry-After</c>; what may be retried depends on
/// the operation's <see cref="Idempotency"/> (see <see cref="FailureClassifier.ShouldRetry"/>);</item>
/// <item>circuit breaker: counts each attempt, opens on too many provider-side failures, and then fails fast;</item>
/// <item>attempt timeout: bounds one call to the adapter.</item>
/// </list>
/// Each call says, through the Polly context, how idempotent it is and which timeouts apply to it, so one pipeline
/// serves operations as different as "describe a sandbox" and "start a command".
/// </summary>
internal sealed class ProviderPipeline
{
    private readonly CircuitBreakerStateProvider? _breaker;

    private ProviderPipeline(string provider, ResiliencePipeline pipeline, CircuitBreakerStateProvider? breaker)
    {
        Provider = provider;
        Pipeline = pipeline;
        _breaker = breaker;
    }

    public string Provider { get; }

    public ResiliencePipeline Pipeline { get; }

    /// <summary>The breaker's state; closed when there is no breaker.</summary>
    public ProviderCircuitState CircuitState => _breaker is { } b
        ? b.CircuitState switch
        {
            Polly.CircuitBreaker.CircuitState.Open => ProviderCircuitState.Open,
            Polly.CircuitBreaker.CircuitState.HalfOpen => ProviderCircuitState.HalfOpen,
            Polly.CircuitBreaker.CircuitState.Isolated => ProviderCircuitState.Isolated,
            _ => ProviderCircuitState.Closed,
        }
        : ProviderCircuitState.Closed;

    public static ProviderPipeline Build(string provider, SandboxResilienceOptions options, TimeProvider timeProvider, ILogger logger)
    {
        if (!options.Enabled)
        {
            return new ProviderPipeline(provider, ResiliencePipeline.Empty, null);
        }

        var builder = new ResiliencePipelineBuilder { Name = "sandboxes." + provider, TimeProvider = timeProvider };
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "operation-timeout",
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(ResilienceKeys.OperationTimeout, Timeout.InfiniteTimeSpan)),
        });

        var retry = options.Retry;
        if (retry.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = retry.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = retry.UseJitter,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e &&
                    FailureClassifier.ShouldRetry(e, args.Context.Properties.GetValue(ResilienceKeys.Idempotency, Idempotency.Never), retry.MaxRetryAfter)),

                // The provider knows best when it can take the call again: its Retry-After replaces the backoff.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is RateLimitException { RetryAfter: { } wait } ? wait : (TimeSpan?)null),
                OnRetry = args =>
                {
                    var operation = args.Context.Properties.GetValue(ResilienceKeys.Operation, "call");
                    var error = args.Outcome.Exception!;
                    SandboxTelemetry.Retries.Add(1, SandboxTelemetry.Provider(provider), new("sandboxes.operation", operation),
                        new("error.type", SandboxTelemetry.ErrorType(error)));
                    Activity.Current?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection
                    {
                        ["attempt"] = args.AttemptNumber + 1, ["delay_ms"] = args.RetryDelay.TotalMilliseconds, ["error.type"] = SandboxTelemetry.ErrorType(error),
                    }));
                    Log.Retrying(logger, operation, provider, args.AttemptNumber + 1, args.RetryDelay, error.Message);
                    return default;
                },
            });
        }

        CircuitBreakerStateProvider? stateProvider = null;
        var breaker = options.CircuitBreaker;
        if (breaker.Enabled)
        {
            stateProvider = new CircuitBreakerStateProvider();
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                Name = "circuit-breaker",
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = stateProvider,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && FailureClassifier.CountsAgainstCircuit(e)),
                OnOpened = args =>
                {
                    SandboxTelemetry.BreakerTransitions.Add(1, SandboxTelemetry.Provider(provider), new("state", "open"));
                    Log.CircuitOpened(logger, provider, args.BreakDuration);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    SandboxTelemetry.BreakerTransitions.Add(1, SandboxTelemetry.Provider(provider), new("state", "half_open"));
                    Log.CircuitHalfOpened(logger, provider);
                    return default;
                },
                OnClosed = _ =>
                {
                    SandboxTelemetry.BreakerTransitions.Add(1, SandboxTelemetry.Provider(provider), new("state", "closed"));
                    Log.CircuitClosed(logger, provider);
                    return default;
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "attempt-timeout",
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(ResilienceKeys.AttemptTimeout, Timeout.InfiniteTimeSpan)),
        });

        return new ProviderPipeline(provider, builder.Build(), stateProvider);
    }
}
