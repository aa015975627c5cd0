using System;
using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>oneOf / anyOf: a nullable alias, a discriminated class hierarchy, or a union keeping the raw JSON.</summary>
    internal sealed partial class SpecParser
    {
        private Resolved ResolveComposition(MapNode map, SeqNode composition, string hint, bool exactName, bool nullable)
        {
            var variants = new List<SpecNode>();
            foreach (var item in composition.Items)
            {
                if (item is MapNode candidate && IsNullSchema(candidate))
                {
                    nullable = true;
                }
                else
                {
                    variants.Add(item);
                }
            }

            if (variants.Count == 0)
            {
                return Remember(map, new Resolved(TypeRef.Json, true));
            }

            if (variants.Count == 1 && !map.Has("properties"))
            {
                if (!_resolving.Add(map))
                {
                    return new Resolved(TypeRef.Json, true);
                }

                var single = ResolveAndRelease(map, variants[0], hint);
                return Remember(map, new Resolved(single.Type, single.Nullable || nullable));
            }

            var name = exactName ? hint : TypeName(hint, "Union");
            var discriminator = map.Map("discriminator")?.String("propertyName");
            if (discriminator is not null && CanBuildHierarchy(map, variants, name) is { } variantKeys)
            {
                return BuildHierarchy(map, name, discriminator, variantKeys, nullable);
            }

            var union = new TypeRef(TypeKind.Union, Qualify(name), null, false);
            Remember(map, new Resolved(union, nullable));
            var builder = AddBuilder(TypeKind.Union, name, Doc(map));
            var seen = new HashSet<TypeRef>();
            var names = new HashSet<string>(StringComparer.Ordinal) { name, "Json", "FromJson", "Kind" };
            names.UnionWith(ReservedMemberNames);
            for (var i = 0; i < variants.Count; i++)
            {
                var variantHint = variants[i] is MapNode v && v.String("$ref") is { } r ? (LastSegment(r) ?? name + "Variant") : name + "Variant" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var resolved = ResolveSchema(variants[i], variantHint);
                var type = resolved.Type;
                if (!seen.Add(type))
                {
                    continue;
                }

                builder.Variants.Add(new VariantModel(Naming.Unique(VariantName(type), names), type, null));
            }

            return new Resolved(union, nullable);
        }

        private List<string>? CanBuildHierarchy(MapNode map, List<SpecNode> variants, string name)
        {
            var keys = new List<string>();
            string? reason = null;
            foreach (var variant in variants)
            {
                var key = variant is MapNode v && v.String("$ref") is { } r ? SchemaKey(r) : null;
                if (key is null || Schemas?.Has(key) != true)
                {
                    reason = "a variant is not a $ref to a component schema";
                    break;
                }

                if (!IsObjectLike(Deref(Schemas[key]) as MapNode) || (Schemas[key] as MapNode)?.Has("oneOf") == true || (Schemas[key] as MapNode)?.Has("anyOf") == true)
                {
                    reason = $"the variant '{key}' is not an object schema";
                    break;
                }

                if (_claimedVariants.Contains(key) || keys.Contains(key))
                {
                    reason = $"the variant '{key}' already belongs to another hierarchy";
                    break;
                }

                keys.Add(key);
            }

            if (reason is null)
            {
                return keys;
            }

            Report("SBX010", map, name, reason);
            return null;
        }

        private Resolved BuildHierarchy(MapNode map, string name, string discriminator, List<string> variantKeys, bool nullable)
        {
            var baseRef = new TypeRef(TypeKind.Polymorphic, Qualify(name), null, false);
            Remember(map, new Resolved(baseRef, nullable));
            _claimedVariants.UnionWith(variantKeys);
            var builder = AddBuilder(TypeKind.Polymorphic, name, Doc(map));
            builder.Discriminator = discriminator;
            builder.UnknownVariant = Naming.Unique(name + "Unknown", _typeNames);

            var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.Map("discriminator")?.Map("mapping")?.Entries ?? new List<KeyValuePair<string, SpecNode>>())
            {
                if (entry.Value is ScalarNode { Value: { } target })
                {
                    var key = SchemaKey(target) ?? target;
                    if (!mapping.ContainsKey(key))
                    {
                        mapping[key] = entry.Key;
                    }
                }
            }

            foreach (var key in variantKeys)
            {
                var resolved = ResolveNamed(key);
                if (!_buildersByName.TryGetValue(TypeNameOf(resolved.Type), out var variantBuilder) || variantBuilder.Kind != TypeKind.Object)
                {
                    continue;
                }

                variantBuilder.BaseType = baseRef.Name;
                var tag = mapping.TryGetValue(key, out var mapped) ? mapped : SingleEnumValue(Deref(Schemas![key]) as MapNode, discriminator) ?? key;
                builder.Variants.Add(new VariantModel(variantBuilder.Name, resolved.Type, tag));
            }

            return new Resolved(baseRef, nullable);
        }

        private string? SingleEnumValue(MapNode? schema, string property)
        {
            if (schema is null)
            {
                return null;
            }

            if ((Deref(schema.Map("properties")?[property]) as MapNode)?.Seq("enum") is { Items.Count: 1 } values && values.Items[0] is ScalarNode { Value: { } value })
            {
                return value;
            }

            foreach (var part in schema.Seq("allOf")?.Items ?? new List<SpecNode>())
            {
                if (SingleEnumValue(Deref(part) as MapNode, property) is { } found)
                {
                    return found;
                }
            }

            return null;
        }

        private static string VariantName(TypeRef type)
        {
            switch (type.Kind)
            {
                case TypeKind.List:
                    return VariantName(type.Element!) + "List";
                case TypeKind.Map:
                    return VariantName(type.Element!) + "Map";
                case TypeKind.NullableValue:
                    return VariantName(type.Element!);
                case TypeKind.BuiltIn:
                    return type.Name switch
                    {
                        "string" => "String",
                        "int" => "Int32",
                        "long" => "Int64",
                        "double" => "Double",
                        "float" => "Single",
                        "bool" => "Boolean",
                        "byte[]" => "Bytes",
                        _ => Naming.Pascal(type.Name.Substring(type.Name.LastIndexOf('.') + 1)),
                    };
                default:
                    return type.Name.Substring(type.Name.LastIndexOf('.') + 1);
            }
        }
    }
}
