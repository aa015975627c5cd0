namespace Sandboxes;

/// <summary>A provider of a failover chain that was passed over, and why.</summary>
/// <param name="Provider">The provider id.</param>
/// <param name="Reason">Why it was passed over (the failure's message).</param>
/// <param name="Error">The failure itself: always a provider-side (transient) error, never bad input.</param>
public sealed record SkippedProvider(string Provider, string Reason, SandboxException Error);
