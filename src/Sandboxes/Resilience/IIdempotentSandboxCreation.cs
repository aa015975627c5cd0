namespace Sandboxes.Providers;

/// <summary>
/// Implemented by an adapter whose vendor accepts an idempotency key on sandbox creation: a second request with the
/// same key returns the first request's sandbox instead of creating another. The resilience pipeline then retries
/// creation freely, passing the same key on every attempt, instead of looking the sandbox up by its creation label.
/// </summary>
public interface IIdempotentSandboxCreation
{
    /// <summary>Creates a sandbox; the same <paramref name="idempotencyKey"/> on a repeated request yields the same sandbox.</summary>
    Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, string idempotencyKey, CancellationToken cancellationToken);
}
