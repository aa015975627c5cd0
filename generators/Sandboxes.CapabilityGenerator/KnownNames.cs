namespace Sandboxes.Generators.Capabilities
{
    /// <summary>Metadata names of the core types the generator reads or writes; kept here so a rename touches one file.</summary>
    internal static class KnownNames
    {
        public const string SandboxProviderAttribute = "Sandboxes.Providers.SandboxProviderAttribute";
        public const string ProviderCapabilityAttribute = "Sandboxes.Providers.ProviderCapabilityAttribute";
        public const string HonouredWithoutOperationAttribute = "Sandboxes.Providers.HonouredWithoutOperationAttribute";
        public const string ForwardingDecoratorAttribute = "Sandboxes.Providers.ForwardingDecoratorAttribute";
        public const string CapabilityIdsAttribute = "Sandboxes.Providers.CapabilityIdsAttribute";
        public const string OperationTiming = "Sandboxes.Providers.OperationTiming";
        public const string SandboxProvider = "Sandboxes.Providers.SandboxProvider";
        public const string ProviderConfig = "Sandboxes.ProviderConfig";

        /// <summary>The nested class whose string constants are the known capability ids.</summary>
        public const string CapabilityIds = "Sandboxes.Capability+Ids";

        /// <summary>The file name every capability table has.</summary>
        public const string TableFileName = "provider.json";

        /// <summary>The named arguments of <c>[ProviderCapability]</c> that say how the library calls an operation.</summary>
        public const string OperationArgument = "Operation";
        public const string IdempotentArgument = "Idempotent";
        public const string TimingArgument = "Timing";

        /// <summary>The timing whose operations keep the caller's token (members of <c>OperationTiming</c>).</summary>
        public const string LiveTiming = "Live";

        /// <summary>The member every adapter overrides with the generated descriptor.</summary>
        public const string DescriptorProperty = "Descriptor";
    }
}
