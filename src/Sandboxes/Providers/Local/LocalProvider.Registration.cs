using System.Runtime.CompilerServices;

namespace Sandboxes.Providers.Local;

// CUSTOM: hand-written until the capability generator emits the descriptor and registration from specs/local/provider.json.
internal sealed partial class LocalProvider
{
    private static readonly ProviderDescriptor LocalDescriptor = new(ProviderId, "Local",
        Capability.WellKnown.Select(c => new CapabilityEntry(c,
            c == Capability.Gpu || c == Capability.DiskLimit || c == Capability.Images ? CapabilitySupport.NotSupported : CapabilitySupport.Native)))
    {
        Description = "Namespaced processes on this machine (bubblewrap), no key, no server.",
        DetectionOrder = 1000,
    };

    public override ProviderDescriptor Descriptor => LocalDescriptor;

#pragma warning disable CA2255 // registration of a built-in provider is what module initializers are for
    [ModuleInitializer]
    internal static void RegisterLocal() => SandboxProviders.Register(LocalDescriptor, config => new LocalProvider(config));
#pragma warning restore CA2255
}
