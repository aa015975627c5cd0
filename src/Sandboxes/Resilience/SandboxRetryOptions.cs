namespace Sandboxes;

/// <summary>
/// How failed provider calls are retried: exponential backoff with jitter, honouring the provider's <c>Retry-After</c>.
/// Only provider-side failures are retried (HTTP 429, 502, 503, 504, timeouts, connection failures), and an operation
/// that is not idempotent (starting a command) is retried only when the failure proves the provider never acted on it.
/// </summary>
public sealed class SandboxRetryOptions
{
    private int _maxRetryAttempts = 3;
    private TimeSpan _baseDelay = TimeSpan.FromMilliseconds(500);
    private TimeSpan _maxDelay = TimeSpan.FromSeconds(30);
    private TimeSpan _maxRetryAfter = TimeSpan.FromSeconds(60);
    private bool _useJitter = true;
    private bool _frozen;

    /// <summary>Retries after the first attempt; 0 disables retries. Default 3 (so at most 4 calls).</summary>
    public int MaxRetryAttempts
    {
        get => _maxRetryAttempts;
        set { Guard(); _maxRetryAttempts = OptionsGuard.InRange(value, 0, 100, nameof(MaxRetryAttempts)); }
    }

    /// <summary>The first backoff delay; later ones double. Default 500 ms.</summary>
    public TimeSpan BaseDelay
    {
        get => _baseDelay;
        set { Guard(); _baseDelay = OptionsGuard.NonNegative(value, nameof(BaseDelay)); }
    }

    /// <summary>The longest backoff delay. Default 30 s.</summary>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        set { Guard(); _maxDelay = OptionsGuard.NonNegative(value, nameof(MaxDelay)); }
    }

    /// <summary>
    /// The longest <c>Retry-After</c> the client waits for. A provider asking for more fails the call at once (so that
    /// failover can try another provider) instead of blocking the caller. Default 60 s.
    /// </summary>
    public TimeSpan MaxRetryAfter
    {
        get => _maxRetryAfter;
        set { Guard(); _maxRetryAfter = OptionsGuard.NonNegative(value, nameof(MaxRetryAfter)); }
    }

    /// <summary>Randomises backoff delays so that many clients do not retry in step. Default true.</summary>
    public bool UseJitter
    {
        get => _useJitter;
        set { Guard(); _useJitter = value; }
    }

    internal void Freeze() => _frozen = true;

    internal SandboxRetryOptions Clone() => new()
    {
        _maxRetryAttempts = _maxRetryAttempts, _baseDelay = _baseDelay, _maxDelay = _maxDelay, _maxRetryAfter = _maxRetryAfter,
        _useJitter = _useJitter,
    };

    private void Guard() => OptionsGuard.ThrowIfFrozen(_frozen, nameof(SandboxRetryOptions));
}
