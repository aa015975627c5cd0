using System.Collections.Concurrent;
using Sandboxes.FaultInjection;

namespace Sandboxes.Emulators;

/// <summary>
/// Faults an emulator injects on demand: planned ones for the next requests of a named operation (the vendor's
/// operation id, for example <c>postSandboxes</c>), or random ones at a rate. Counts requests per operation.
/// </summary>
public sealed class FaultPlan
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _planned = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _randomGate = new();
    private Random _random = new(1);

    /// <summary>The share of requests failed at random, 0 to 1.</summary>
    public double Rate { get; set; }

    /// <summary>The faults chosen at random, in turn.</summary>
    public IReadOnlyList<Fault> RandomFaults { get; set; } = [Fault.Unavailable, new Fault { Status = 502 }, Fault.RateLimited(0)];

    /// <summary>A delay added before every answer (a slow provider).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Makes the next requests of <paramref name="operation"/> fail as given, in order.</summary>
    public void Plan(string operation, params Fault[] faults)
    {
        var queue = _planned.GetOrAdd(operation, _ => new ConcurrentQueue<Fault>());
        foreach (var fault in faults)
        {
            queue.Enqueue(fault);
        }
    }

    /// <summary>Seeds the random faults for a reproducible run.</summary>
    public void Seed(int seed)
    {
        lock (_randomGate)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>Requests received for an operation, failed ones included.</summary>
    public int Requests(string operation) => _requests.GetValueOrDefault(operation);

    /// <summary>Counts a request and returns the fault to inject into it, if any.</summary>
    internal Fault? Next(string operation)
    {
        _requests.AddOrUpdate(operation, 1, (_, n) => n + 1);
        if (_planned.TryGetValue(operation, out var queue) && queue.TryDequeue(out var planned))
        {
            return planned;
        }

        lock (_randomGate)
        {
            return Rate > 0 && _random.NextDouble() < Rate ? RandomFaults[_random.Next(RandomFaults.Count)] : null;
        }
    }
}
