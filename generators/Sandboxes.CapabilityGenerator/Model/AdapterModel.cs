namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// What the parser learned about one class marked <c>[SandboxProvider]</c>. Problems with the class itself
    /// (not partial, no config constructor...) are already in <see cref="Diagnostics"/>; <see cref="CanEmit"/> says
    /// whether any code can be generated for it at all. <see cref="HonouredWithoutOperation"/> are the known capability ids
    /// that no contract member carries but a request field or the library honours (marked
    /// <c>[HonouredWithoutOperation]</c>).
    /// </summary>
    internal sealed record AdapterModel(
        string ProviderId,
        string? Namespace,
        string ClassName,
        string FullyQualifiedName,
        LocationInfo? Location,
        bool CanEmit,
        bool HasConfigConstructor,
        bool DeclaresDescriptor,
        EquatableArray<ContractMember> Members,
        EquatableArray<string> KnownCapabilities,
        EquatableArray<string> HonouredWithoutOperation,
        EquatableArray<DiagnosticInfo> Diagnostics);
}
