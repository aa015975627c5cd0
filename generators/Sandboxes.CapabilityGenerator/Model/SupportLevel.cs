namespace Sandboxes.Generators.Capabilities
{
    /// <summary>How a table says a provider offers a capability (mirrors <c>Sandboxes.CapabilitySupport</c>).</summary>
    internal enum SupportLevel
    {
        Unsupported = 0,
        Native = 1,
        Emulated = 2,
    }
}
