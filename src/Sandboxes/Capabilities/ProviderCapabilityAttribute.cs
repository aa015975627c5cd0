namespace Sandboxes.Providers;

/// <summary>
/// Ties a member of <see cref="SandboxProvider"/> to the capability it belongs to, and says how the library may call it:
/// the operation's name in traces and metrics, whether repeating it is safe, and how long it may take. The capability
/// generator uses it to emit a throwing stub when a provider's table declares the capability unsupported, to check that
/// declared capabilities are implemented, and to write the resilient decorator that routes every operation through the
/// provider's retry, circuit breaker and timeouts.
/// </summary>
/// <remarks>
/// What <see cref="Idempotent"/> and <see cref="Timing"/> promise is part of the contract an adapter implements: the
/// library may send an idempotent operation again after a transient failure, so an adapter must make repeating it
/// harmless (killing a sandbox that is already gone is not an error).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class ProviderCapabilityAttribute(string capability) : Attribute
{
    /// <summary>The capability id (one of <see cref="Capability.Ids"/>).</summary>
    public string Capability { get; } = capability;

    /// <summary>
    /// The operation's name in traces (activity <c>sandboxes.&lt;name&gt;</c>), metrics and log lines, for example
    /// <c>files.list</c>; required on every member, the generator refuses one without it (SBX131).
    /// </summary>
    public string? Operation { get; set; }

    /// <summary>
    /// True when doing the operation twice is the same as doing it once (describe, list, kill, mkdir), so it is retried
    /// after any transient failure. False (the default) retries it only when the failure proves the provider never acted on
    /// the first call (HTTP 429, no connection made).
    /// </summary>
    public bool Idempotent { get; set; }

    /// <summary>How long the operation may take, which decides the client-side timeouts set on it. Default <see cref="OperationTiming.Quick"/>.</summary>
    public OperationTiming Timing { get; set; }
}
