using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Parsing;

namespace Sandboxes.Generators.Emitting
{
    internal static partial class Emitter
    {
        private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";
        private const string JsonOptions = "global::System.Text.Json.JsonSerializerOptions";
        private const string Metadata = "global::Sandboxes.Http.JsonMetadata";

        private static string EmitJsonContext(ApiModel api)
        {
            var writer = Start(api);
            var context = api.ContextName;
            writer.OpenBlock("namespace " + api.Namespace);
            WriteSummary(writer, "JSON metadata of every type of " + api.Title + ", written at build time: serialization needs no reflection.");
            WriteRawTag(writer, "remarks", "Built on the same <c>JsonMetadataServices</c> API System.Text.Json's own generator emits; use <see cref=\"Default\"/> or <see cref=\"TypeInfo{T}\"/>.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.OpenBlock(api.Visibility + " sealed partial class " + context + " : global::System.Text.Json.Serialization.JsonSerializerContext, global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver");
            writer.WriteLine("private static " + context + "? s_default;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Creates a context bound to <paramref name=\"options\"/> (which must not be in use yet).</summary>");
            writer.WriteLine("public " + context + "(" + JsonOptions + " options)");
            writer.WriteLine("    : base(options)");
            writer.WriteLine("{");
            writer.WriteLine("}");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The shared context, over <see cref=\"global::Sandboxes.Http.JsonMetadata.CreateOptions\"/>.</summary>");
            writer.WriteLine("public static " + context + " Default => s_default ??= new " + context + "(" + Metadata + ".CreateOptions());");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("protected override " + JsonOptions + "? GeneratedSerializerOptions => null;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The metadata of <typeparamref name=\"T\"/>.</summary>");
            writer.WriteLine("public " + JsonTypeInfo + "<T> TypeInfo<T>() => (" + JsonTypeInfo + "<T>)Options.GetTypeInfo(typeof(T));");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.OpenBlock("public override " + JsonTypeInfo + "? GetTypeInfo(global::System.Type type)");
            writer.WriteLine("Options.TryGetTypeInfo(type, out var typeInfo);");
            writer.WriteLine("return typeInfo;");
            writer.CloseBlock();
            writer.WriteLine();

            var creators = new List<KeyValuePair<string, string>>();
            foreach (var type in api.Types)
            {
                creators.Add(new KeyValuePair<string, string>(type.QualifiedName(api.Namespace), CreatorBody(api, type)));
            }

            foreach (var type in api.JsonTypes)
            {
                if (type.IsGenerated)
                {
                    continue;
                }

                var body = type.Kind switch
                {
                    TypeKind.List => Metadata + ".List<" + type.Element!.CSharp + ">(options)",
                    TypeKind.Map => Metadata + ".Map<" + type.Element!.CSharp + ">(options)",
                    TypeKind.NullableValue when type.Element!.Kind != TypeKind.BuiltIn => Metadata + ".Nullable<" + type.Element.CSharp + ">(options)",
                    _ => null,
                };
                if (body is not null)
                {
                    creators.Add(new KeyValuePair<string, string>(type.CSharp, body));
                }
            }

            writer.OpenBlock(JsonTypeInfo + "? global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver.GetTypeInfo(global::System.Type type, " + JsonOptions + " options)");
            for (var i = 0; i < creators.Count; i++)
            {
                writer.OpenBlock("if (type == typeof(" + creators[i].Key + "))");
                writer.WriteLine("return Create" + i.ToString(CultureInfo.InvariantCulture) + "(options);");
                writer.CloseBlock();
                writer.WriteLine();
            }

            writer.WriteLine("return " + Metadata + ".BuiltIn(type, options);");
            writer.CloseBlock();
            for (var i = 0; i < creators.Count; i++)
            {
                writer.WriteLine();
                writer.WriteLine("private static " + JsonTypeInfo + " Create" + i.ToString(CultureInfo.InvariantCulture) + "(" + JsonOptions + " options) =>");
                writer.Indent();
                writer.WriteLine(creators[i].Value + ";");
                writer.Unindent();
            }

            writer.CloseBlock();
            writer.CloseBlock();
            return writer.ToString();
        }

        private static string CreatorBody(ApiModel api, TypeModel type)
        {
            var name = type.QualifiedName(api.Namespace);
            switch (type.Kind)
            {
                case TypeKind.Enum:
                    return Metadata + ".Value<" + name + ">(options, new global::Sandboxes.Http.StringEnumJsonConverter<" + name + ">())";
                case TypeKind.Union:
                    return Metadata + ".Value<" + name + ">(options, new global::Sandboxes.Http.JsonUnionConverter<" + name + ">())";
                case TypeKind.Polymorphic:
                    var variants = string.Join(", ", type.Variants.Select(v => "[" + Naming.Literal(v.Tag ?? v.Name) + "] = typeof(" + v.Type.CSharp + ")"));
                    return Metadata + ".Value<" + name + ">(options, new global::Sandboxes.Http.DiscriminatedJsonConverter<" + name + ">(" +
                        Naming.Literal(type.Discriminator) + ", new global::System.Collections.Generic.Dictionary<string, global::System.Type> { " + variants + " }, " +
                        "static json => new global::" + api.Namespace + "." + type.UnknownVariantName + "(json)))";
                default:
                    var properties = type.Properties.Select(p =>
                        Metadata + ".Property<" + name + ", " + p.CSharpType + ">(options, " + Naming.Literal(p.Name) + ", " + Naming.Literal(p.JsonName) +
                        ", static o => o." + p.Name + ", static (o, v) => o." + p.Name + " = v, " + (p.Nullable && !p.Required ? "true" : "false") + ")");
                    return Metadata + ".Object<" + name + ">(options, static () => new " + name + "(), () => new global::System.Text.Json.Serialization.Metadata.JsonPropertyInfo[]\n{\n    " +
                        string.Join(",\n    ", properties) + (type.Properties.Count > 0 ? ",\n" : "\n") + "})";
            }
        }
    }
}
