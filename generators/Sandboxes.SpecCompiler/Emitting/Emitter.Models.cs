using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Parsing;

namespace Sandboxes.Generators.Emitting
{
    internal static partial class Emitter
    {
        private static void WriteModels(SourceWriter writer, ApiModel api)
        {
            var first = true;
            foreach (var type in api.Types)
            {
                if (!first)
                {
                    writer.WriteLine();
                }

                first = false;
                switch (type.Kind)
                {
                    case TypeKind.Enum:
                        WriteEnum(writer, api, type);
                        break;
                    case TypeKind.Union:
                        WriteUnion(writer, api, type);
                        break;
                    case TypeKind.Polymorphic:
                        WriteHierarchyBase(writer, api, type);
                        break;
                    default:
                        WriteRecord(writer, api, type);
                        break;
                }
            }
        }

        private static void WriteRecord(SourceWriter writer, ApiModel api, TypeModel type)
        {
            WriteSummary(writer, type.Doc ?? type.Name + " (a schema of " + api.Title + ").");
            writer.WriteLine(GeneratedCodeAttribute);
            var baseList = type.BaseType is null ? string.Empty : " : " + type.BaseType;
            writer.OpenBlock(api.Visibility + " sealed partial record " + type.Name + baseList);
            var firstProperty = true;
            foreach (var property in type.Properties)
            {
                if (!firstProperty)
                {
                    writer.WriteLine();
                }

                firstProperty = false;
                var notes = property.ReadOnly ? "Read-only: sent by the server, ignored in requests." : property.WriteOnly ? "Write-only: sent in requests, never returned." : null;
                if (property.Deprecated)
                {
                    notes = (notes is null ? string.Empty : notes + " ") + "Deprecated by the API.";
                }

                WriteSummary(writer, property.Doc ?? "The `" + property.JsonName + "` value.", notes is null ? null : (property.Doc is null ? notes : property.Doc + "\n" + notes));
                var initializer = !property.Nullable && !property.Type.IsValueType ? " = default!;" : string.Empty;
                writer.WriteLine("[global::System.Text.Json.Serialization.JsonPropertyName(" + Naming.Literal(property.JsonName) + ")]");
                if (property.Nullable && !property.Required)
                {
                    // An optional value left null is left out of a request, as the spec allows, rather than sent as null.
                    writer.WriteLine("[global::System.Text.Json.Serialization.JsonIgnore(Condition = global::System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]");
                }

                writer.WriteLine("public " + property.CSharpType + " " + property.Name + " { get; set; }" + initializer);
            }

            if (type.Properties.Any(p => IsSensitive(p.JsonName)))
            {
                WritePrintMembers(writer, type);
            }

            writer.CloseBlock();
        }

        /// <summary>A property whose name says it holds a credential: masked in the record's <c>ToString</c>.</summary>
        private static bool IsSensitive(string jsonName) => SensitiveName.IsMatch(jsonName);

        private static readonly System.Text.RegularExpressions.Regex SensitiveName = new System.Text.RegularExpressions.Regex(
            "secret|password|passwd|token|api[_-]?key|access[_-]?key|private[_-]?key|credential", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

        private static void WritePrintMembers(SourceWriter writer, TypeModel type)
        {
            // CUSTOM: records print every property; credentials must never reach a log line through ToString.
            writer.WriteLine();
            writer.WriteLine("/// <summary>Prints the members for <c>ToString</c>, with credentials masked.</summary>");
            writer.OpenBlock((type.BaseType is null ? "private" : "protected override") + " bool PrintMembers(global::System.Text.StringBuilder builder)");
            if (type.BaseType is not null)
            {
                writer.OpenBlock("if (base.PrintMembers(builder))");
                writer.WriteLine("builder.Append(\", \");");
                writer.CloseBlock();
                writer.WriteLine();
            }

            var first = true;
            foreach (var property in type.Properties)
            {
                var label = (first ? string.Empty : ", ") + property.Name + " = ";
                first = false;
                var value = IsSensitive(property.JsonName)
                    ? "((object?)" + property.Name + " is null ? \"null\" : global::Sandboxes.SecretScrubber.Mask)"
                    : "(object?)" + property.Name;
                writer.WriteLine("builder.Append(" + Naming.Literal(label) + ").Append(" + value + ");");
            }

            writer.WriteLine("return true;");
            writer.CloseBlock();
        }

        private static void WriteHierarchyBase(SourceWriter writer, ApiModel api, TypeModel type)
        {
            var tags = string.Join(", ", type.Variants.Select(v => "<c>" + Escape(v.Tag ?? v.Name) + "</c>"));
            WriteSummary(writer, type.Doc ?? type.Name + " (a schema of " + api.Title + ").");
            WriteRawTag(writer, "remarks", "One of several types, told apart by the <c>" + Escape(type.Discriminator ?? string.Empty) + "</c> property (" + tags +
                "). A value the spec does not list is read as <see cref=\"" + type.UnknownVariantName + "\"/>.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + type.Name + "JsonConverter))]");
            writer.OpenBlock(api.Visibility + " abstract partial record " + type.Name);
            writer.CloseBlock();
            writer.WriteLine();
            var variants = string.Join(", ", type.Variants.Select(v => "[" + Naming.Literal(v.Tag ?? v.Name) + "] = typeof(" + v.Type.CSharp + ")"));
            WriteRawTag(writer, "summary", "Reads a <see cref=\"" + type.Name + "\"/> by its <c>" + Escape(type.Discriminator ?? string.Empty) + "</c> value and writes it as its own type.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.OpenBlock(api.Visibility + " sealed class " + type.Name + "JsonConverter : global::Sandboxes.Http.DiscriminatedJsonConverter<" + type.QualifiedName(api.Namespace) + ">");
            writer.WriteLine("/// <summary>Creates the converter with the spec's discriminator values.</summary>");
            writer.WriteLine("public " + type.Name + "JsonConverter()");
            writer.WriteLine("    : base(" + Naming.Literal(type.Discriminator) + ", new global::System.Collections.Generic.Dictionary<string, global::System.Type> { " + variants + " }, " +
                "static json => new global::" + api.Namespace + "." + type.UnknownVariantName + "(json))");
            writer.WriteLine("{");
            writer.WriteLine("}");
            writer.CloseBlock();
            writer.WriteLine();
            WriteRawTag(writer, "summary", "A <see cref=\"" + type.Name + "\"/> whose <c>" + Escape(type.Discriminator ?? string.Empty) + "</c> value the spec does not list; it keeps the raw JSON, which is written back unchanged.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine("[global::System.Text.Json.Serialization.JsonConverter(typeof(global::Sandboxes.Http.UnknownVariantJsonConverter<" + type.UnknownVariantName + ">))]");
            writer.OpenBlock(api.Visibility + " sealed partial record " + type.UnknownVariantName + " : " + type.QualifiedName(api.Namespace) + ", global::Sandboxes.Http.IUnknownVariant, " +
                "global::Sandboxes.Http.IUnknownVariantFactory<" + type.UnknownVariantName + ">");
            writer.WriteLine("/// <summary>Wraps the raw JSON of the value.</summary>");
            writer.WriteLine("public " + type.UnknownVariantName + "(global::System.Text.Json.JsonElement json) => Json = json;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Wraps the raw JSON of the value.</summary>");
            writer.WriteLine("public static " + type.UnknownVariantName + " FromJson(global::System.Text.Json.JsonElement json) => new(json);");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The raw JSON value.</summary>");
            writer.WriteLine("public global::System.Text.Json.JsonElement Json { get; }");
            writer.CloseBlock();
        }

        private static void WriteEnum(SourceWriter writer, ApiModel api, TypeModel type)
        {
            var name = type.Name;
            WriteSummary(writer, type.Doc ?? name + " (a schema of " + api.Title + ").",
                "An extensible enum: a value the server sends that is not listed here still reads, compares and writes back unchanged.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine("[global::System.Text.Json.Serialization.JsonConverter(typeof(global::Sandboxes.Http.StringEnumJsonConverter<" + name + ">))]");
            writer.OpenBlock(api.Visibility + " readonly partial struct " + name + " : global::System.IEquatable<" + name + ">, global::Sandboxes.Http.IStringEnum<" + name + ">");
            writer.WriteLine("private readonly string? _value;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Wraps <paramref name=\"value\"/>, listed or not.</summary>");
            writer.WriteLine("public " + name + "(string value) => _value = value ?? throw new global::System.ArgumentNullException(nameof(value));");
            foreach (var member in type.EnumMembers)
            {
                writer.WriteLine();
                WriteSummary(writer, member.Doc ?? "`" + member.Value + "`");
                writer.WriteLine("public static " + name + " " + member.Name + " { get; } = new " + name + "(" + Naming.Literal(member.Value) + ");");
            }

            writer.WriteLine();
            writer.WriteLine("/// <summary>The value as sent on the wire.</summary>");
            writer.WriteLine("public string Value => _value ?? string.Empty;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Wraps a wire value.</summary>");
            writer.WriteLine("public static " + name + " FromValue(string value) => new " + name + "(value);");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Wraps a wire value.</summary>");
            writer.WriteLine("public static implicit operator " + name + "(string value) => new " + name + "(value);");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Compares the wire values (ordinal).</summary>");
            writer.WriteLine("public static bool operator ==(" + name + " left, " + name + " right) => left.Equals(right);");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Compares the wire values (ordinal).</summary>");
            writer.WriteLine("public static bool operator !=(" + name + " left, " + name + " right) => !left.Equals(right);");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("public bool Equals(" + name + " other) => string.Equals(Value, other.Value, global::System.StringComparison.Ordinal);");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("public override bool Equals(object? obj) => obj is " + name + " other && Equals(other);");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("public override int GetHashCode() => global::System.StringComparer.Ordinal.GetHashCode(Value);");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("public override string ToString() => Value;");
            writer.CloseBlock();
        }

        private static void WriteUnion(SourceWriter writer, ApiModel api, TypeModel type)
        {
            var name = type.Name;
            WriteSummary(writer, type.Doc ?? name + " (a schema of " + api.Title + ").",
                "One of several shapes (" + string.Join(", ", type.Variants.Select(v => "`" + v.Name + "`")) + ") with nothing in the JSON that says which: the raw JSON is kept, the `As...` accessors read it as one shape or return null.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine("[global::System.Text.Json.Serialization.JsonConverter(typeof(global::Sandboxes.Http.JsonUnionConverter<" + name + ">))]");
            writer.OpenBlock(api.Visibility + " sealed partial class " + name + " : global::Sandboxes.Http.IJsonUnion<" + name + ">");
            writer.WriteLine("/// <summary>Wraps a raw JSON value.</summary>");
            writer.WriteLine("public " + name + "(global::System.Text.Json.JsonElement json) => Json = json;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The raw JSON value.</summary>");
            writer.WriteLine("public global::System.Text.Json.JsonElement Json { get; }");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The kind of JSON value held (object, array, string...).</summary>");
            writer.WriteLine("public global::System.Text.Json.JsonValueKind Kind => Json.ValueKind;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Wraps a raw JSON value.</summary>");
            writer.WriteLine("public static " + name + " FromJson(global::System.Text.Json.JsonElement json) => new " + name + "(json);");
            foreach (var variant in type.Variants)
            {
                var nullableType = variant.Type.IsValueType ? variant.Type.CSharp + "?" : variant.Type.CSharpNullable;
                var infoType = variant.Type.IsValueType ? variant.Type.CSharp + "?" : variant.Type.CSharp;
                writer.WriteLine();
                writer.WriteLine("/// <summary>The value read as <c>" + Escape(variant.Type.CSharp.Replace("global::", string.Empty)) + "</c>, or null when it does not read as one.</summary>");
                writer.OpenBlock("public " + nullableType + " As" + variant.Name + "()");
                writer.OpenBlock("try");
                writer.WriteLine("return global::System.Text.Json.JsonSerializer.Deserialize(Json, " + "(" + JsonTypeInfo + "<" + infoType + ">)" + api.QualifiedContext + ".Default.GetTypeInfo(typeof(" + infoType + "))!);");
                writer.CloseBlock();
                writer.OpenBlock("catch (global::System.Exception e) when (e is global::System.Text.Json.JsonException or global::System.InvalidOperationException or global::System.FormatException)");
                writer.WriteLine("return null;");
                writer.CloseBlock();
                writer.CloseBlock();
                if (variant.Type != TypeRef.Json && variant.Type.Kind != TypeKind.Polymorphic)
                {
                    writer.WriteLine();
                    writer.WriteLine("/// <summary>Holds <paramref name=\"value\"/> as its JSON.</summary>");
                    writer.WriteLine("public static implicit operator " + name + "(" + variant.Type.CSharp + " value) => new " + name + "(global::System.Text.Json.JsonSerializer.SerializeToElement(value, " + "(" + JsonTypeInfo + "<" + variant.Type.CSharp + ">)" + api.QualifiedContext + ".Default.GetTypeInfo(typeof(" + variant.Type.CSharp + "))!));");
                }
            }

            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc />");
            writer.WriteLine("public override string ToString() => Json.GetRawText();");
            writer.CloseBlock();
        }
    }
}
