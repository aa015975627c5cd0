using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>The generated types of plain schemas: records (allOf flattened), extensible enums, and their names.</summary>
    internal sealed partial class SpecParser
    {
        private Resolved BuildEnum(IOpenApiSchema schema, List<string> values, string hint, bool exactName, bool nullable)
        {
            var name = exactName ? hint : TypeName(hint, "Enum");
            var type = new TypeRef(TypeKind.Enum, Qualify(name), null, true);
            Remember(schema, new Resolved(type, nullable));
            var builder = AddBuilder(TypeKind.Enum, name, Doc(schema));
            var varNames = Strings(Extension(schema, "x-enum-varnames") ?? Extension(schema, "x-enumNames"));
            var descriptions = Strings(Extension(schema, "x-enum-descriptions"));
            var used = new HashSet<string>(StringComparer.Ordinal) { name, "Value", "FromValue" };
            used.UnionWith(ReservedMemberNames);
            var seenValues = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                if (!seenValues.Add(value))
                {
                    continue;
                }

                var source = varNames is not null && varNames.Count == values.Count && !string.IsNullOrEmpty(varNames[i]) ? varNames[i] : value;
                var doc = descriptions is not null && descriptions.Count == values.Count ? descriptions[i] : null;
                builder.Members.Add(new EnumMemberModel(Naming.Unique(Naming.Pascal(source, "Empty"), used), value, doc));
            }

            return new Resolved(type, nullable);
        }

        /// <summary>The strings of a JSON array extension (other shapes, such as a map of descriptions, give null).</summary>
        private static List<string?>? Strings(JsonNode? node) =>
            node is JsonArray array ? array.Select(item => item is JsonValue value ? value.ToString() : null).ToList() : null;

        private Resolved BuildObject(IOpenApiSchema schema, string hint, string pointer, bool exactName, bool nullable)
        {
            var name = exactName ? hint : TypeName(hint, "Model");
            var type = new TypeRef(TypeKind.Object, Qualify(name), null, false);
            Remember(schema, new Resolved(type, nullable));
            var builder = AddBuilder(TypeKind.Object, name, Doc(schema));

            var properties = new List<KeyValuePair<string, IOpenApiSchema>>();
            var required = new HashSet<string>(StringComparer.Ordinal);
            CollectProperties(schema, properties, required, 0, new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance));

            var used = new HashSet<string>(StringComparer.Ordinal) { name };
            used.UnionWith(ReservedMemberNames);
            foreach (var property in properties)
            {
                var declared = property.Value;
                var target = Target(declared);
                var resolved = ResolveSchema(declared, name + Naming.Pascal(property.Key), pointer + "/properties/" + Escape(property.Key));
                var readOnly = target?.ReadOnly == true || declared.ReadOnly;
                var writeOnly = target?.WriteOnly == true || declared.WriteOnly;
                var isRequired = required.Contains(property.Key);
                var propertyType = resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element! : resolved.Type;
                var propertyName = Naming.Pascal(property.Key, "Property");
                if (propertyName == name)
                {
                    propertyName += "Value";
                }

                builder.Properties.Add(new PropertyModel(
                    Naming.Unique(propertyName, used),
                    property.Key,
                    propertyType,
                    resolved.Nullable || resolved.Type.Kind == TypeKind.NullableValue || !isRequired || readOnly || writeOnly,
                    isRequired,
                    readOnly,
                    writeOnly,
                    target?.Deprecated == true || declared.Deprecated,
                    Doc(declared) ?? Doc(target)));
            }

            return new Resolved(type, nullable);
        }

        private void CollectProperties(IOpenApiSchema schema, List<KeyValuePair<string, IOpenApiSchema>> properties, HashSet<string> required, int depth,
            HashSet<IOpenApiSchema> visited)
        {
            if (depth > 32 || Target(schema) is not { } target || !visited.Add(target))
            {
                return;
            }

            foreach (var part in target.AllOf ?? new List<IOpenApiSchema>())
            {
                CollectProperties(part, properties, required, depth + 1, visited);
            }

            foreach (var name in target.Required ?? new HashSet<string>())
            {
                required.Add(name);
            }

            foreach (var entry in target.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                var index = properties.FindIndex(p => p.Key == entry.Key);
                if (index >= 0)
                {
                    properties[index] = entry;
                }
                else
                {
                    properties.Add(entry);
                }
            }
        }

        private bool IsObjectLike(IOpenApiSchema? schema)
        {
            if (schema is null)
            {
                return false;
            }

            if (schema.Properties is { Count: > 0 } || TypeList(schema).Contains(JsonSchemaType.Object))
            {
                return true;
            }

            return schema.AllOf?.Any(p => IsObjectLike(Target(p))) == true;
        }

        private TypeBuilder AddBuilder(TypeKind kind, string name, string? doc)
        {
            _typeNames.Add(name);
            var builder = new TypeBuilder(kind, name, doc);
            _types.Add(builder);
            _buildersByName[name] = builder;
            return builder;
        }

        private string Qualify(string name) => "global::" + _namespace + "." + name;

        private string TypeNameOf(TypeRef type) => type.Name.Substring(("global::" + _namespace + ".").Length);
    }
}
