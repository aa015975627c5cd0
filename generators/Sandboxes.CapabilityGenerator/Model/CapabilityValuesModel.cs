namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// The class of capability id constants (marked <c>[CapabilityIds]</c>) and the type it is nested in: the names of
    /// its string constants, in declaration order, from which the containing type gets one static value per id and the
    /// list of them all. <see cref="Problem"/> says why nothing can be emitted (reported with <see cref="Diagnostics"/>).
    /// </summary>
    internal sealed record CapabilityValuesModel(
        string HintName,
        string? Namespace,
        string ContainingKeyword,
        string ContainingName,
        string IdsName,
        EquatableArray<string> Constants,
        bool CanEmit,
        EquatableArray<DiagnosticInfo> Diagnostics);
}
