using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Parsing;

namespace Sandboxes.Generators.Emitting
{
    internal static partial class Emitter
    {
        private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";

        /// <summary>
        /// The <c>[JsonSerializable]</c> context of the spec's types: System.Text.Json's own generator writes its metadata, so
        /// nothing is reflected at run time. Numbers sent as strings are read; property names match exactly (vendors' <c>Id</c>
        /// and <c>ID</c> can both exist); unknown properties are ignored. Metadata only: the generator's fast-path serializers
        /// would add a fifth to the lines the C# compiler reads for every spec (109,507 instead of 136,786 for three large
        /// specs), and a body sent over HTTP gains nothing measurable from them.
        /// </summary>
        private static void WriteJsonContext(SourceWriter writer, ApiModel api)
        {
            WriteSummary(writer, "JSON metadata of every type of " + api.Title + ", written at build time by System.Text.Json's generator.");
            WriteRawTag(writer, "remarks", "Give it to Refit with <c>Sandboxes.Http.OpenApiRefitSettings.For(" + api.ContextName + ".Default)</c> " +
                "(or <c>RefitSettings.ForJsonContext</c>, which writes booleans in paths and queries as .NET's <c>True</c>).");
            // No [GeneratedCode] here: System.Text.Json's generator puts its own on the other half of this partial class.
            writer.WriteLine("[global::System.Text.Json.Serialization.JsonSourceGenerationOptions(global::System.Text.Json.JsonSerializerDefaults.Web, " +
                "NumberHandling = global::System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString, PropertyNameCaseInsensitive = false, " +
                "AllowOutOfOrderMetadataProperties = true, GenerationMode = global::System.Text.Json.Serialization.JsonSourceGenerationMode.Metadata)]");
            var listed = new HashSet<string>();
            foreach (var type in api.Types)
            {
                var name = type.QualifiedName(api.Namespace);
                if (listed.Add(name))
                {
                    writer.WriteLine("[global::System.Text.Json.Serialization.JsonSerializable(typeof(" + name + "))]");
                }

                if (type.Kind == TypeKind.Polymorphic)
                {
                    // Refit writes a body by its runtime type: an unknown variant needs its own metadata.
                    writer.WriteLine("[global::System.Text.Json.Serialization.JsonSerializable(typeof(" + name.Substring(0, name.Length - type.Name.Length) + type.UnknownVariantName + "))]");
                }
            }

            foreach (var type in api.JsonTypes.Where(t => !t.IsGenerated))
            {
                if (!listed.Add(type.CSharp))
                {
                    continue;
                }

                if (type.Kind == TypeKind.BuiltIn)
                {
                    // System.Text.Json's generator names the metadata of its built-in types itself (it reads their converters by that name).
                    writer.WriteLine("[global::System.Text.Json.Serialization.JsonSerializable(typeof(" + type.CSharp + "))]");
                }
                else
                {
                    writer.WriteLine("[global::System.Text.Json.Serialization.JsonSerializable(typeof(" + type.CSharp + "), TypeInfoPropertyName = " + Naming.Literal(InfoName(type)) + ")]");
                }
            }

            if (listed.Count == 0)
            {
                // System.Text.Json's generator ignores a context without [JsonSerializable]: one entry keeps it a working context.
                writer.WriteLine("[global::System.Text.Json.Serialization.JsonSerializable(typeof(global::System.Text.Json.JsonElement))]");
            }

            writer.OpenBlock(api.Visibility + " sealed partial class " + api.ContextName + " : global::System.Text.Json.Serialization.JsonSerializerContext");
            writer.CloseBlock();
        }

        /// <summary>A property name for the metadata of a list, map or nullable value, prefixed so it cannot meet a schema's name.</summary>
        private static string InfoName(TypeRef type) => "Of" + type.Kind switch
        {
            TypeKind.List => InfoName(type.Element!).Substring(2) + "List",
            TypeKind.Map => InfoName(type.Element!).Substring(2) + "Map",
            TypeKind.NullableValue => "Nullable" + InfoName(type.Element!).Substring(2),
            _ => Parsing.Naming.Pascal(type.Name.Replace("global::", string.Empty).Replace("[]", "Array")),
        };
    }
}
