namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Everything the emitter needs for one adapter, and nothing else: no locations, so a plan stays equal (and its
    /// output cached) when only the position of the adapter or of table entries moved.
    /// </summary>
    internal sealed record AdapterPlan(
        string HintName,
        string? Namespace,
        string ClassName,
        string FullyQualifiedName,
        ProviderInfo Provider,
        EquatableArray<DescriptorRow> Rows,
        bool EmitDescriptor,
        bool EmitRegistration,
        EquatableArray<StubPlan> Stubs);
}
