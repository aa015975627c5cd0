using Polly;

namespace Sandboxes;

/// <summary>What each call tells the provider's one pipeline about itself, through the Polly context.</summary>
internal static class ResilienceKeys
{
    public static readonly ResiliencePropertyKey<Idempotency> Idempotency = new("sandboxes.idempotency");

    public static readonly ResiliencePropertyKey<TimeSpan> AttemptTimeout = new("sandboxes.attempt-timeout");

    public static readonly ResiliencePropertyKey<TimeSpan> OperationTimeout = new("sandboxes.operation-timeout");

    public static readonly ResiliencePropertyKey<string> Operation = new("sandboxes.operation");
}
