namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// A parsed <c>provider.json</c>. A table with <see cref="Errors"/> is reported and never bound to an adapter;
    /// <see cref="Id"/> may still be set so that the adapter naming it does not also report a missing table.
    /// </summary>
    internal sealed record TableModel(
        string Path,
        string? Id,
        ProviderInfo Provider,
        EquatableArray<CapabilityRow> Capabilities,
        EquatableArray<DiagnosticInfo> Errors)
    {
        public bool IsValid => Errors.Count == 0 && Id is not null;
    }
}
