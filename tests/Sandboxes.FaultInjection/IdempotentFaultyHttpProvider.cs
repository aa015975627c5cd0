using Sandboxes.Providers;

namespace Sandboxes.FaultInjection;

/// <summary>The same adapter, for a vendor that honours idempotency keys on creation.</summary>
public sealed class IdempotentFaultyHttpProvider : FaultyHttpProvider, IIdempotentSandboxCreation
{
    /// <summary>Creates the adapter.</summary>
    public IdempotentFaultyHttpProvider(ProviderDescriptor descriptor, ProviderConfig config)
        : base(descriptor, config)
    {
    }

    /// <inheritdoc />
    public Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, string idempotencyKey, CancellationToken cancellationToken) =>
        CreateCoreAsync(request, idempotencyKey, cancellationToken);
}
