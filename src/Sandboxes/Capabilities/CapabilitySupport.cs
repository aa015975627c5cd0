namespace Sandboxes;

/// <summary>How a provider offers a capability.</summary>
public enum CapabilitySupport
{
    /// <summary>The provider cannot do it; the operation throws <see cref="FeatureNotSupportedException"/>.</summary>
    NotSupported = 0,

    /// <summary>The provider's own API does it.</summary>
    Native = 1,

    /// <summary>The library builds it from other operations (for example files through commands).</summary>
    Emulated = 2,
}
