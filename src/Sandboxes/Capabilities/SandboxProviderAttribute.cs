namespace Sandboxes.Providers;

/// <summary>
/// Marks a <c>partial</c> provider adapter and names its capability table (<c>specs/&lt;id&gt;/provider.json</c>). The
/// capability generator emits, for that class, a stub for every capability the table declares unsupported, the provider's
/// <see cref="ProviderDescriptor"/>, and its registration in <see cref="SandboxProviders"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SandboxProviderAttribute(string id) : Attribute
{
    /// <summary>The provider id, matching the table's <c>id</c>.</summary>
    public string Id { get; } = id;
}
