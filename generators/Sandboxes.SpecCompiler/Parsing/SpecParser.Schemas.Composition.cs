using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>oneOf / anyOf: a nullable alias, a discriminated class hierarchy, or a union keeping the raw JSON.</summary>
    internal sealed partial class SpecParser
    {
        private Resolved ResolveComposition(IOpenApiSchema schema, IList<IOpenApiSchema> composition, string hint, string pointer, bool exactName, bool nullable)
        {
            var variants = new List<(IOpenApiSchema Schema, int Index)>();
            for (var i = 0; i < composition.Count; i++)
            {
                if (IsNullSchema(composition[i]))
                {
                    nullable = true;
                }
                else
                {
                    variants.Add((composition[i], i));
                }
            }

            if (variants.Count == 0)
            {
                return Remember(schema, new Resolved(TypeRef.Json, true));
            }

            if (variants.Count == 1 && schema.Properties is not { Count: > 0 })
            {
                if (!_resolving.Add(schema))
                {
                    return new Resolved(TypeRef.Json, true);
                }

                var single = ResolveAndRelease(schema, variants[0].Schema, hint, pointer + "/" + variants[0].Index);
                return Remember(schema, new Resolved(single.Type, single.Nullable || nullable));
            }

            var name = exactName ? hint : TypeName(hint, "Union");
            var discriminator = schema.Discriminator?.PropertyName;
            if (discriminator is not null && CanBuildHierarchy(variants.Select(v => v.Schema).ToList(), name, pointer) is { } variantKeys)
            {
                return BuildHierarchy(schema, name, discriminator, variantKeys, nullable);
            }

            var union = new TypeRef(TypeKind.Union, Qualify(name), null, false);
            Remember(schema, new Resolved(union, nullable));
            var builder = AddBuilder(TypeKind.Union, name, Doc(schema));
            var seen = new HashSet<TypeRef>();
            var names = new HashSet<string>(StringComparer.Ordinal) { name, "Json", "FromJson", "Kind" };
            names.UnionWith(ReservedMemberNames);
            foreach (var (variant, index) in variants)
            {
                var variantHint = variant is OpenApiSchemaReference r && r.Reference?.Id is { } id ? id : name + "Variant" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var type = ResolveSchema(variant, variantHint, pointer + "/" + index).Type;
                if (!seen.Add(type))
                {
                    continue;
                }

                builder.Variants.Add(new VariantModel(Naming.Unique(VariantName(type), names), type, null));
            }

            return new Resolved(union, nullable);
        }

        private List<string>? CanBuildHierarchy(List<IOpenApiSchema> variants, string name, string pointer)
        {
            var keys = new List<string>();
            string? reason = null;
            foreach (var variant in variants)
            {
                var key = variant is OpenApiSchemaReference r && r.Reference?.Id is { } id && Schemas.ContainsKey(id) ? id : null;
                if (key is null)
                {
                    reason = "a variant is not a $ref to a component schema";
                    break;
                }

                var target = Schemas[key];
                if (!IsObjectLike(Target(target)) || target.OneOf is { Count: > 0 } || target.AnyOf is { Count: > 0 })
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

            Report("SBX010", pointer, name, reason);
            return null;
        }

        private Resolved BuildHierarchy(IOpenApiSchema schema, string name, string discriminator, List<string> variantKeys, bool nullable)
        {
            var baseRef = new TypeRef(TypeKind.Polymorphic, Qualify(name), null, false);
            Remember(schema, new Resolved(baseRef, nullable));
            _claimedVariants.UnionWith(variantKeys);
            var builder = AddBuilder(TypeKind.Polymorphic, name, Doc(schema));
            builder.Discriminator = discriminator;
            builder.UnknownVariant = Naming.Unique(name + "Unknown", _typeNames);

            var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in schema.Discriminator?.Mapping ?? new Dictionary<string, OpenApiSchemaReference>())
            {
                var key = entry.Value.Reference?.Id;
                if (key is not null && !mapping.ContainsKey(key))
                {
                    mapping[key] = entry.Key;
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
                var tag = mapping.TryGetValue(key, out var mapped) ? mapped : SingleEnumValue(Target(Schemas[key]), discriminator) ?? key;
                builder.Variants.Add(new VariantModel(variantBuilder.Name, resolved.Type, tag));
            }

            return new Resolved(baseRef, nullable);
        }

        /// <summary>The one value a variant allows for the discriminator (an enum of one, or a 3.1 <c>const</c>), if it says so.</summary>
        private string? SingleEnumValue(IOpenApiSchema? schema, string property)
        {
            if (schema is null)
            {
                return null;
            }

            if (schema.Properties is { } properties && properties.TryGetValue(property, out var declared) && Target(declared) is { } target)
            {
                if (target.Enum is { Count: 1 } values && values[0] is System.Text.Json.Nodes.JsonValue value)
                {
                    return value.ToString();
                }

                if (target.Const is { } constant)
                {
                    return constant;
                }
            }

            foreach (var part in schema.AllOf ?? new List<IOpenApiSchema>())
            {
                if (SingleEnumValue(Target(part), property) is { } found)
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
