using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Sandboxes;

/// <summary>The library's one <see cref="ActivitySource"/> and <see cref="Meter"/>, and the instruments on it.</summary>
internal static class SandboxTelemetry
{
    private static readonly string? Version = typeof(SandboxTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    // Live circuit breakers, read by the state gauge; each client registers its providers' breakers and removes them on dispose.
    private static readonly ConcurrentDictionary<object, (string Provider, Func<ProviderCircuitState> State)> Breakers = new();

    public static ActivitySource ActivitySource { get; } = new(SandboxDiagnostics.ActivitySourceName, Version);

    public static Meter Meter { get; } = new(SandboxDiagnostics.MeterName, Version);

    public static Histogram<double> CreateDuration { get; } =
        Meter.CreateHistogram<double>(SandboxDiagnostics.CreateDuration, "s", "Time to create a sandbox.");

    public static Histogram<double> CommandDuration { get; } =
        Meter.CreateHistogram<double>(SandboxDiagnostics.CommandDuration, "s", "Time a command ran, as seen by the client.");

    public static Counter<long> Retries { get; } = Meter.CreateCounter<long>(SandboxDiagnostics.Retries, "{retry}", "Retries of provider calls.");

    public static Counter<long> BreakerTransitions { get; } =
        Meter.CreateCounter<long>(SandboxDiagnostics.CircuitBreakerTransitions, "{transition}", "Circuit breaker state changes.");

    public static Counter<long> Failovers { get; } = Meter.CreateCounter<long>(SandboxDiagnostics.Failovers, "{provider}", "Providers passed over by failover.");

    public static Histogram<double> PoolAcquireDuration { get; } =
        Meter.CreateHistogram<double>(SandboxDiagnostics.PoolAcquireDuration, "s", "Time to acquire a pooled sandbox.");

    static SandboxTelemetry()
    {
        Meter.CreateObservableGauge(SandboxDiagnostics.CircuitBreakerState, ObserveBreakers, description: "Circuit state per provider: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    public static void RegisterBreaker(object owner, string provider, Func<ProviderCircuitState> state) => Breakers[owner] = (provider, state);

    public static void UnregisterBreaker(object owner) => Breakers.TryRemove(owner, out _);

    public static KeyValuePair<string, object?> Provider(string provider) => new(SandboxDiagnostics.ProviderTag, provider);

    public static string ErrorType(Exception e) => e.GetType().Name;

    private static IEnumerable<Measurement<int>> ObserveBreakers() =>
        Breakers.Values.Select(b => new Measurement<int>((int)b.State(), Provider(b.Provider)));
}
