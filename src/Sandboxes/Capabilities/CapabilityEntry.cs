namespace Sandboxes;

/// <summary>One row of a provider's capability table.</summary>
/// <param name="Capability">The capability.</param>
/// <param name="Support">Whether it is native, emulated or not supported.</param>
/// <param name="Note">A short note: how it is emulated, or why it is absent.</param>
public sealed record CapabilityEntry(Capability Capability, CapabilitySupport Support, string? Note = null)
{
    /// <summary>True when the capability can be used (native or emulated).</summary>
    public bool IsSupported => Support != CapabilitySupport.NotSupported;
}
