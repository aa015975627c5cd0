using System;
using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>The generated types of plain schemas: records (allOf flattened), extensible enums, and their names.</summary>
    internal sealed partial class SpecParser
    {
        private Resolved BuildEnum(MapNode map, List<ScalarNode> values, string hint, bool exactName, bool nullable)
        {
            var name = exactName ? hint : TypeName(hint, "Enum");
            var type = new TypeRef(TypeKind.Enum, Qualify(name), null, true);
            Remember(map, new Resolved(type, nullable));
            var builder = AddBuilder(TypeKind.Enum, name, Doc(map));
            var varNames = (map.Seq("x-enum-varnames") ?? map.Seq("x-enumNames"))?.Items.OfType<ScalarNode>().Select(s => s.Value).ToList();
            var descriptions = map.Seq("x-enum-descriptions")?.Items.OfType<ScalarNode>().Select(s => s.Value).ToList();
            var used = new HashSet<string>(StringComparer.Ordinal) { name, "Value", "FromValue" };
            used.UnionWith(ReservedMemberNames);
            var seenValues = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i].Value ?? string.Empty;
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

        private Resolved BuildObject(MapNode map, string hint, bool exactName, bool nullable)
        {
            var name = exactName ? hint : TypeName(hint, "Model");
            var type = new TypeRef(TypeKind.Object, Qualify(name), null, false);
            Remember(map, new Resolved(type, nullable));
            var builder = AddBuilder(TypeKind.Object, name, Doc(map));

            var properties = new List<KeyValuePair<string, SpecNode>>();
            var required = new HashSet<string>(StringComparer.Ordinal);
            CollectProperties(map, properties, required, 0, new HashSet<SpecNode>(ReferenceComparer.Instance));

            var used = new HashSet<string>(StringComparer.Ordinal) { name };
            used.UnionWith(ReservedMemberNames);
            foreach (var property in properties)
            {
                var target = Deref(property.Value) as MapNode;
                var resolved = ResolveSchema(property.Value, name + Naming.Pascal(property.Key));
                var readOnly = target?.Bool("readOnly") == true || (property.Value as MapNode)?.Bool("readOnly") == true;
                var writeOnly = target?.Bool("writeOnly") == true || (property.Value as MapNode)?.Bool("writeOnly") == true;
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
                    target?.Bool("deprecated") == true || (property.Value as MapNode)?.Bool("deprecated") == true,
                    Doc(property.Value as MapNode) ?? Doc(target)));
            }

            return new Resolved(type, nullable);
        }

        private void CollectProperties(MapNode schema, List<KeyValuePair<string, SpecNode>> properties, HashSet<string> required, int depth, HashSet<SpecNode> visited)
        {
            if (depth > 32 || !visited.Add(schema))
            {
                return;
            }

            if (schema.String("$ref") is not null)
            {
                if (Deref(schema) is MapNode target)
                {
                    CollectProperties(target, properties, required, depth + 1, visited);
                }

                return;
            }

            foreach (var part in schema.Seq("allOf")?.Items ?? new List<SpecNode>())
            {
                if (part is MapNode partMap)
                {
                    CollectProperties(partMap, properties, required, depth + 1, visited);
                }
            }

            foreach (var name in schema.Seq("required")?.Items.OfType<ScalarNode>() ?? Enumerable.Empty<ScalarNode>())
            {
                if (name.Value is not null)
                {
                    required.Add(name.Value);
                }
            }

            foreach (var entry in schema.Map("properties")?.Entries ?? new List<KeyValuePair<string, SpecNode>>())
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

        private bool IsObjectLike(MapNode? schema)
        {
            if (schema is null)
            {
                return false;
            }

            if (schema.Has("properties") || TypeList(schema).Contains("object"))
            {
                return true;
            }

            return schema.Seq("allOf")?.Items.Any(p => IsObjectLike(Deref(p) as MapNode)) == true;
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
