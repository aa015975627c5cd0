namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// What the parser learned about a class marked <c>[ForwardingDecorator]</c>: the contract members it leaves to the
    /// generator, and problems found on the way. Holds no location outside <see cref="Diagnostics"/>, and those feed a
    /// separate output, so moving the class in its file does not re-emit its forwards.
    /// </summary>
    internal sealed record DecoratorModel(
        string HintName,
        string? Namespace,
        string ClassName,
        bool CanEmit,
        EquatableArray<ForwardPlan> Forwards,
        EquatableArray<DiagnosticInfo> Diagnostics);
}
