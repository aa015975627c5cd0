namespace Sandboxes;

/// <summary>
/// The circuit breaker kept for each provider: when too many calls fail on the provider's side it opens, and calls fail
/// fast with <see cref="CircuitOpenException"/> (which failover treats as "try the next provider") until the break is
/// over; then one probe call is let through (half-open), and its outcome closes or reopens the circuit.
/// </summary>
public sealed class SandboxCircuitBreakerOptions
{
    private bool _enabled = true;
    private double _failureRatio = 0.5;
    private int _minimumThroughput = 10;
    private TimeSpan _samplingDuration = TimeSpan.FromSeconds(30);
    private TimeSpan _breakDuration = TimeSpan.FromSeconds(30);
    private bool _frozen;

    /// <summary>True to keep a circuit breaker per provider. Default true.</summary>
    public bool Enabled
    {
        get => _enabled;
        set { Guard(); _enabled = value; }
    }

    /// <summary>The share of failed calls, within <see cref="SamplingDuration"/>, that opens the circuit. Default 0.5.</summary>
    public double FailureRatio
    {
        get => _failureRatio;
        set
        {
            Guard();
            if (value is <= 0 or > 1 || double.IsNaN(value))
            {
                throw new ArgumentOutOfRangeException(nameof(FailureRatio), value, "FailureRatio must be in (0, 1].");
            }

            _failureRatio = value;
        }
    }

    /// <summary>The fewest calls within <see cref="SamplingDuration"/> before the ratio is considered. Default 10 (at least 2).</summary>
    public int MinimumThroughput
    {
        get => _minimumThroughput;
        set { Guard(); _minimumThroughput = OptionsGuard.InRange(value, 2, int.MaxValue, nameof(MinimumThroughput)); }
    }

    /// <summary>The window over which failures are counted. Default 30 s (at least 0.5 s).</summary>
    public TimeSpan SamplingDuration
    {
        get => _samplingDuration;
        set { Guard(); _samplingDuration = AtLeastHalfSecond(value, nameof(SamplingDuration)); }
    }

    /// <summary>How long the circuit stays open before a probe is let through. Default 30 s (at least 0.5 s).</summary>
    public TimeSpan BreakDuration
    {
        get => _breakDuration;
        set { Guard(); _breakDuration = AtLeastHalfSecond(value, nameof(BreakDuration)); }
    }

    internal void Freeze() => _frozen = true;

    internal SandboxCircuitBreakerOptions Clone() => new()
    {
        _enabled = _enabled, _failureRatio = _failureRatio, _minimumThroughput = _minimumThroughput,
        _samplingDuration = _samplingDuration, _breakDuration = _breakDuration,
    };

    // Polly refuses shorter windows; saying so here reports the mistake where it is made.
    private static TimeSpan AtLeastHalfSecond(TimeSpan value, string name) =>
        value >= TimeSpan.FromMilliseconds(500) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 0.5 s.");

    private void Guard() => OptionsGuard.ThrowIfFrozen(_frozen, nameof(SandboxCircuitBreakerOptions));
}
