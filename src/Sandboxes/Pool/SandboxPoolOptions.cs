namespace Sandboxes;

/// <summary>
/// Settings of a <see cref="SandboxPool"/>: sizes, expiry, what its sandboxes are, and what happens when a lease ends.
/// Checked as they are set, and frozen once the pool is built.
/// </summary>
public sealed class SandboxPoolOptions
{
    private int _minSize;
    private int _maxSize = 4;
    private TimeSpan _maxIdleTime = TimeSpan.FromMinutes(5);
    private TimeSpan _timeToLive = TimeSpan.FromHours(1);
    private TimeSpan _acquireTimeout = TimeSpan.FromMinutes(2);
    private TimeSpan _maintenanceInterval = TimeSpan.FromSeconds(30);
    private IReadOnlyDictionary<string, string> _labels = new Dictionary<string, string>();
    private SandboxOptions _sandbox = new();
    private SandboxReturnPolicy _returnPolicy = SandboxReturnPolicy.Discard;
    private IReadOnlyList<string> _resetCommands = [];
    private bool _checkHealthOnAcquire = true;
    private bool _frozen;

    /// <summary>Sandboxes kept warm (idle or leased) at all times; created when the pool starts. Default 0.</summary>
    public int MinSize
    {
        get => _minSize;
        set { Guard(); _minSize = OptionsGuard.InRange(value, 0, 10_000, nameof(MinSize)); }
    }

    /// <summary>The most sandboxes alive at once, leased, idle and being created together. Default 4.</summary>
    public int MaxSize
    {
        get => _maxSize;
        set { Guard(); _maxSize = OptionsGuard.InRange(value, 1, 10_000, nameof(MaxSize)); }
    }

    /// <summary>An idle sandbox unused for this long is killed (and replaced if needed for <see cref="MinSize"/>). Default 5 min.</summary>
    public TimeSpan MaxIdleTime
    {
        get => _maxIdleTime;
        set { Guard(); _maxIdleTime = OptionsGuard.Positive(value, nameof(MaxIdleTime)); }
    }

    /// <summary>A sandbox older than this is not leased again; it is killed when idle or on return. Default 1 h.</summary>
    public TimeSpan TimeToLive
    {
        get => _timeToLive;
        set { Guard(); _timeToLive = OptionsGuard.Positive(value, nameof(TimeToLive)); }
    }

    /// <summary>How long <see cref="SandboxPool.AcquireAsync"/> waits when all <see cref="MaxSize"/> sandboxes are leased. Default 2 min.</summary>
    public TimeSpan AcquireTimeout
    {
        get => _acquireTimeout;
        set { Guard(); _acquireTimeout = OptionsGuard.Positive(value, nameof(AcquireTimeout)); }
    }

    /// <summary>How often idle sandboxes are checked for expiry and the pool refilled to <see cref="MinSize"/>. Default 30 s.</summary>
    public TimeSpan MaintenanceInterval
    {
        get => _maintenanceInterval;
        set { Guard(); _maintenanceInterval = OptionsGuard.Positive(value, nameof(MaintenanceInterval)); }
    }

    /// <summary>Labels on every sandbox of the pool (besides <c>sandboxes.pool</c>, the pool's id).</summary>
    public IReadOnlyDictionary<string, string> Labels
    {
        get => _labels;
        set { Guard(); _labels = value ?? throw new ArgumentNullException(nameof(value)); }
    }

    /// <summary>What each sandbox is: provider and failover chain, preset, image, resources.</summary>
    public SandboxOptions Sandbox
    {
        get => _sandbox;
        set { Guard(); _sandbox = value ?? throw new ArgumentNullException(nameof(value)); }
    }

    /// <summary>What happens when a lease ends. Default <see cref="SandboxReturnPolicy.Discard"/>.</summary>
    public SandboxReturnPolicy ReturnPolicy
    {
        get => _returnPolicy;
        set { Guard(); _returnPolicy = value; }
    }

    /// <summary>Commands run on return under <see cref="SandboxReturnPolicy.Reset"/> (for example <c>rm -rf /workspace/*</c>).</summary>
    public IReadOnlyList<string> ResetCommands
    {
        get => _resetCommands;
        set
        {
            Guard();
            ArgumentNullException.ThrowIfNull(value);
            _resetCommands = value.Any(string.IsNullOrWhiteSpace)
                ? throw new ArgumentException("A reset command must not be empty.", nameof(value))
                : value.ToArray();
        }
    }

    /// <summary>Checks an idle sandbox is still running before leasing it (a dead one is replaced). Default true.</summary>
    public bool CheckHealthOnAcquire
    {
        get => _checkHealthOnAcquire;
        set { Guard(); _checkHealthOnAcquire = value; }
    }

    /// <summary>Checks the options as a whole; called when a pool is built from them.</summary>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    public void Validate()
    {
        if (_minSize > _maxSize)
        {
            throw new ArgumentException($"MinSize ({_minSize}) must not exceed MaxSize ({_maxSize}).");
        }

        if (_returnPolicy == SandboxReturnPolicy.Reset && _resetCommands.Count == 0)
        {
            throw new ArgumentException("ReturnPolicy.Reset needs ResetCommands saying how to reset a sandbox.");
        }
    }

    internal void Freeze() => _frozen = true;

    private void Guard() => OptionsGuard.ThrowIfFrozen(_frozen, nameof(SandboxPoolOptions));
}
