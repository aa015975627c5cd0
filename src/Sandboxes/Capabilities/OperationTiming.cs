namespace Sandboxes.Providers;

/// <summary>How long a provider operation may take; it decides which client-side timeouts the resilience pipeline sets on it.</summary>
public enum OperationTiming
{
    /// <summary>Answered at once: each attempt is bounded by <see cref="SandboxTimeoutOptions.Attempt"/>, the whole by <see cref="SandboxTimeoutOptions.Operation"/>.</summary>
    Quick,

    /// <summary>Takes as long as its work (waiting for a command, running code, saving a snapshot): no client-side timeout.</summary>
    Unbounded,

    /// <summary>
    /// Hands back something live (a stream, a terminal, a sequence of events) that keeps using the caller's token: no
    /// client-side timeout, and the adapter gets the caller's token rather than the pipeline's, which Polly pools and
    /// reuses, so a live result holding it could be cancelled by an unrelated call later. Operations returning an
    /// <see cref="IAsyncEnumerable{T}"/> are always live.
    /// </summary>
    Live,
}
