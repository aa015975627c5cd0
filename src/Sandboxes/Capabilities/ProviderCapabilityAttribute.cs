namespace Sandboxes.Providers;

/// <summary>
/// Ties a member of <see cref="SandboxProvider"/> to the capability it belongs to. The capability generator uses it to
/// emit a throwing stub when a provider's table declares the capability unsupported, and to check that declared
/// capabilities are implemented.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class ProviderCapabilityAttribute(string capability) : Attribute
{
    /// <summary>The capability id (one of <see cref="Capability.Ids"/>).</summary>
    public string Capability { get; } = capability;
}
