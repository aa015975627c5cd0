namespace Sandboxes.Generators.Capabilities
{
    /// <summary>A parameter of a contract member: its modifier (<c>ref</c>, <c>out</c>, <c>in</c> or empty), type and name as written in C#.</summary>
    internal sealed record ParameterModel(string Modifier, string Type, string Name);
}
