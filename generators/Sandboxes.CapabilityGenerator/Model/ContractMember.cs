namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// A member of the provider contract that carries <c>[ProviderCapability]</c>, with its signature as C# text and how
    /// the adapter implements it. <see cref="CanStub"/> is false for shapes the emitter does not write (generic methods).
    /// </summary>
    internal sealed record ContractMember(
        string Name,
        string CapabilityId,
        string Accessibility,
        string ReturnType,
        EquatableArray<ParameterModel> Parameters,
        bool CanStub,
        ImplementationState State,
        LocationInfo? OverrideLocation);
}
