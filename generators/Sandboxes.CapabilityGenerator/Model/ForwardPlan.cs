namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// One contract member the decorator forwards: its signature as C# text, the shape of what it returns, the name of its
    /// <c>CancellationToken</c> parameter, and what its <c>[ProviderCapability]</c> declares (operation name,
    /// idempotency, and the timing as a fully qualified enum member).
    /// </summary>
    internal sealed record ForwardPlan(
        string Name,
        string Accessibility,
        string ReturnType,
        ForwardShape Shape,
        EquatableArray<ParameterModel> Parameters,
        string TokenParameter,
        string Operation,
        bool Idempotent,
        string Timing,
        bool Live);
}
