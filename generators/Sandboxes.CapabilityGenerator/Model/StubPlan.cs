namespace Sandboxes.Generators.Capabilities
{
    /// <summary>A contract member to override with a stub that throws <c>FeatureNotSupportedException</c> at call time.</summary>
    internal sealed record StubPlan(
        string Name,
        string CapabilityId,
        string Accessibility,
        string ReturnType,
        EquatableArray<ParameterModel> Parameters);
}
