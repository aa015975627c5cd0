namespace Sandboxes.Generators.Model
{
    /// <summary>A generated type: a record, an extensible enum, a union, or the base of a discriminated hierarchy.</summary>
    internal sealed record TypeModel(
        TypeKind Kind,
        string Name,
        string? Doc,
        EquatableArray<PropertyModel> Properties,
        EquatableArray<EnumMemberModel> EnumMembers,
        EquatableArray<VariantModel> Variants,
        string? BaseType,
        string? Discriminator,
        string? UnknownVariantName)
    {
        public string QualifiedName(string ns) => "global::" + ns + "." + Name;
    }

    internal sealed record PropertyModel(
        string Name,
        string JsonName,
        TypeRef Type,
        bool Nullable,
        bool Required,
        bool ReadOnly,
        bool WriteOnly,
        bool Deprecated,
        string? Doc)
    {
        public string CSharpType => Nullable ? Type.CSharpNullable : Type.CSharp;
    }

    internal sealed record EnumMemberModel(string Name, string Value, string? Doc);

    /// <summary>One shape of a union, or one derived type of a hierarchy (with its discriminator value).</summary>
    internal sealed record VariantModel(string Name, TypeRef Type, string? Tag);
}
