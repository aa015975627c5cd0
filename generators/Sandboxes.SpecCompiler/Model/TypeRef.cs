using System;

namespace Sandboxes.Generators.Model
{
    internal enum TypeKind
    {
        /// <summary>A type System.Text.Json knows (string, numbers, bool, dates, byte[], JsonElement).</summary>
        BuiltIn,

        /// <summary>A generated record with properties.</summary>
        Object,

        /// <summary>A generated extensible string enum (readonly struct).</summary>
        Enum,

        /// <summary>A generated union keeping the raw JSON (oneOf/anyOf without a discriminator).</summary>
        Union,

        /// <summary>The generated abstract base of a discriminated hierarchy.</summary>
        Polymorphic,

        /// <summary><c>List&lt;Element&gt;</c>.</summary>
        List,

        /// <summary><c>Dictionary&lt;string, Element&gt;</c>.</summary>
        Map,

        /// <summary><c>Element?</c> for a value type.</summary>
        NullableValue,
    }

    /// <summary>A C# type as generated code writes it: a fully qualified name, never a Roslyn symbol.</summary>
    internal sealed record TypeRef(TypeKind Kind, string Name, TypeRef? Element, bool IsValueType)
    {
        public static readonly TypeRef String = BuiltIn("string", false);
        public static readonly TypeRef Int32 = BuiltIn("int", true);
        public static readonly TypeRef Int64 = BuiltIn("long", true);
        public static readonly TypeRef Double = BuiltIn("double", true);
        public static readonly TypeRef Single = BuiltIn("float", true);
        public static readonly TypeRef Boolean = BuiltIn("bool", true);
        public static readonly TypeRef DateTimeOffset = BuiltIn("global::System.DateTimeOffset", true);
        public static readonly TypeRef Bytes = BuiltIn("byte[]", false);
        public static readonly TypeRef Json = BuiltIn("global::System.Text.Json.JsonElement", true);

        public static TypeRef BuiltIn(string name, bool isValueType) => new TypeRef(TypeKind.BuiltIn, name, null, isValueType);

        public static TypeRef ListOf(TypeRef element) => new TypeRef(TypeKind.List, string.Empty, element, false);

        public static TypeRef MapOf(TypeRef element) => new TypeRef(TypeKind.Map, string.Empty, element, false);

        public static TypeRef NullableOf(TypeRef element) => new TypeRef(TypeKind.NullableValue, string.Empty, element, false);

        /// <summary>The C# type, fully qualified.</summary>
        public string CSharp => Kind switch
        {
            TypeKind.List => "global::System.Collections.Generic.List<" + Element!.CSharp + ">",
            TypeKind.Map => "global::System.Collections.Generic.Dictionary<string, " + Element!.CSharp + ">",
            TypeKind.NullableValue => Element!.CSharp + "?",
            _ => Name,
        };

        /// <summary>The C# type with a nullable annotation (<c>T?</c>).</summary>
        public string CSharpNullable => Kind == TypeKind.NullableValue ? CSharp : CSharp + "?";

        public bool IsGenerated => Kind is TypeKind.Object or TypeKind.Enum or TypeKind.Union or TypeKind.Polymorphic;

        public bool Equals(TypeRef? other) =>
            other is not null && Kind == other.Kind && IsValueType == other.IsValueType && string.Equals(Name, other.Name, StringComparison.Ordinal) && Equals(Element, other.Element);

        public override int GetHashCode() => unchecked(((int)Kind * 397) ^ StringComparer.Ordinal.GetHashCode(Name) ^ (Element?.GetHashCode() ?? 0));
    }
}
