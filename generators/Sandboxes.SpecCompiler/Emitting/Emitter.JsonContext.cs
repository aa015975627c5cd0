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
        /// and <c>ID</c> can both exist); unknown properties are ignored.
        /// </summary>
        private static void WriteJsonContext(SourceWriter writer, ApiModel api)
        {
            WriteSummary(writer, "JSON metadata of every type of " + api.Title + ", written at build time by System.Text.Json's generator.");
            WriteRawTag(writer, "remarks", "Give it to Refit with <c>RefitSettings.ForJsonContext(" + api.ContextName + ".Default)</c>.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine("[global::System.Text.Json.Serialization.JsonSourceGenerationOptions(global::System.Text.Json.JsonSerializerDefaults.Web, " +
                "NumberHandling = global::System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString, PropertyNameCaseInsensitive = false, " +
                "AllowOutOfOrderMetadataProperties = true)]");
            var listed = new HashSet<string>();
            foreach (var type in api.Types)
            {
                var name = type.QualifiedName(api.Namespace);
                if (listed.Add(name))
                {
                    writer.WriteLine("[global::System.Text.Json.Serialization.JsonSerializable(typeof(" + name + "))]");
                }
            }

            foreach (var type in api.JsonTypes.Where(t => !t.IsGenerated))
            {
                if (listed.Add(type.CSharp))
                {
                    writer.WriteLine("[global::System.Text.Json.Serialization.JsonSerializable(typeof(" + type.CSharp + "), TypeInfoPropertyName = " + Naming.Literal(InfoName(type)) + ")]");
                }
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
