namespace Sandboxes.Http;

/// <summary>The name a parameter (or multipart part) has on the wire when it differs from the C# parameter name.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false)]
public sealed class AliasAsAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public AliasAsAttribute(string name) => Name = name;

    /// <summary>The wire name.</summary>
    public string Name { get; }
}
