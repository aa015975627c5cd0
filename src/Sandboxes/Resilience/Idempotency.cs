namespace Sandboxes;

/// <summary>
/// What a retry may assume about an operation that failed. Each operation declares the first two on the contract
/// (<see cref="Providers.ProviderCapabilityAttribute.Idempotent"/>); the resilient decorator decides the other two per call.
/// </summary>
internal enum Idempotency
{
    /// <summary>Doing it twice is the same as once (describe, list, kill, mkdir, write from a seekable stream).</summary>
    Idempotent,

    /// <summary>
    /// Doing it twice may do it twice (starting a command, writing to stdin): retried only when the failure proves the
    /// provider never acted on the first call (HTTP 429, no connection made).
    /// </summary>
    NotIdempotent,

    /// <summary>Never retried (the request body was a stream that cannot be rewound).</summary>
    Never,

    /// <summary>Creating a sandbox: made safe to retry by a unique creation label, looked up after an ambiguous failure.</summary>
    CreateWithRecovery,
}
