namespace Sandboxes.Generators.Capabilities
{
    /// <summary>The outcome of binding an adapter to its table: a plan to emit (null when nothing can be), and diagnostics.</summary>
    internal sealed record BindResult(AdapterPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
}
