using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>Schemas to C# types: built-ins, lists, maps, and the generated records, enums, unions and hierarchies.</summary>
    internal sealed partial class SpecParser
    {
        private static readonly string[] ReservedMemberNames = { "EqualityContract", "Equals", "GetHashCode", "ToString", "GetType", "Deconstruct", "PrintMembers", "Clone", "MemberwiseClone", "Finalize" };

        private readonly List<TypeBuilder> _types = new();
        private readonly Dictionary<string, TypeBuilder> _buildersByName = new(StringComparer.Ordinal);
        private readonly HashSet<string> _typeNames = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _schemaNames = new(StringComparer.Ordinal);
        private readonly Dictionary<IOpenApiSchema, Resolved> _resolved = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<object> _resolving = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<string> _claimedVariants = new(StringComparer.Ordinal);
        private readonly HashSet<string> _reportedReferences = new(StringComparer.Ordinal);

        private IDictionary<string, IOpenApiSchema> Schemas => _document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();

        private void ReserveTypeNames()
        {
            _typeNames.Add("I" + _clientName + "Api");
            _typeNames.Add(_clientName + "ApiStreams");
            _typeNames.Add(_clientName + "JsonContext");
            foreach (var key in Schemas.Keys)
            {
                _schemaNames[key] = TypeName(key, "Schema");
            }
        }

        /// <summary>
        /// A free type name for <paramref name="hint"/>. Names that generated members use (an enum's <c>Value</c>, a union's
        /// <c>Json</c>) get a <c>Schema</c> suffix, since a member may not share its type's name.
        /// </summary>
        private string TypeName(string hint, string fallback)
        {
            var name = Naming.Pascal(hint, fallback);
            if (name is "Value" or "FromValue" or "Json" or "FromJson" or "Kind")
            {
                name += "Schema";
            }

            return Naming.Unique(name, _typeNames);
        }

        private void ReadComponentSchemas()
        {
            foreach (var key in Schemas.Keys)
            {
                ResolveNamed(key);
            }
        }

        private Resolved ResolveNamed(string key) => ResolveSchema(Schemas[key], _schemaNames[key], "#/components/schemas/" + Escape(key), exactName: true);

        /// <summary>The component name a schema reference points at, or null for an inline schema or an unresolvable reference (reported).</summary>
        private string? ReferencedKey(IOpenApiSchema schema, string pointer)
        {
            if (schema is not OpenApiSchemaReference reference)
            {
                return null;
            }

            var id = reference.Reference?.Id;
            if (reference.Reference?.IsExternal == true)
            {
                if (_reportedReferences.Add(reference.Reference.ReferenceV3 ?? id ?? string.Empty))
                {
                    Report("SBX012", pointer, reference.Reference.ReferenceV3 ?? id ?? string.Empty);
                }

                return null;
            }

            if (id is not null && Schemas.ContainsKey(id))
            {
                return id;
            }

            if (_reportedReferences.Add(id ?? string.Empty))
            {
                Report("SBX004", pointer, "#/components/schemas/" + id);
            }

            return null;
        }

        /// <summary>The schema a reference resolves to (the schema itself when it is not a reference); null when it does not resolve.</summary>
        private IOpenApiSchema? Target(IOpenApiSchema? schema)
        {
            for (var hops = 0; hops < 32 && schema is OpenApiSchemaReference reference; hops++)
            {
                if (reference.Reference?.IsExternal == true || reference.Reference?.Id is not { } id || !Schemas.TryGetValue(id, out var next))
                {
                    return null;
                }

                schema = next;
            }

            return schema;
        }

        /// <summary>The C# type of a schema and whether it allows null. Generated types are created on first use.</summary>
        private Resolved ResolveSchema(IOpenApiSchema? schema, string hint, string pointer, bool exactName = false)
        {
            if (schema is null)
            {
                return new Resolved(TypeRef.Json, true);
            }

            if (schema is OpenApiSchemaReference)
            {
                var key = ReferencedKey(schema, pointer);
                if (key is null)
                {
                    return new Resolved(TypeRef.Json, true);
                }

                // A chain of $refs that comes back to itself has no type: JsonElement.
                if (!_resolving.Add(schema))
                {
                    return new Resolved(TypeRef.Json, true);
                }

                try
                {
                    var target = ResolveNamed(key);

                    // 3.1 lets a $ref carry siblings: a description is harmless, a "type: [.., null]" makes it nullable.
                    return IsNullable(schema) ? new Resolved(target.Type, true) : target;
                }
                finally
                {
                    _resolving.Remove(schema);
                }
            }

            if (_resolved.TryGetValue(schema, out var cached))
            {
                return cached;
            }

            var nullable = IsNullable(schema);
            var types = TypeList(schema);

            var composition = schema.OneOf is { Count: > 0 } ? schema.OneOf : schema.AnyOf is { Count: > 0 } ? schema.AnyOf : null;
            if (composition is not null)
            {
                return ResolveComposition(schema, composition, hint, pointer + (schema.OneOf is { Count: > 0 } ? "/oneOf" : "/anyOf"), exactName, nullable);
            }

            if (schema.AllOf is { Count: > 0 } allOf)
            {
                if (allOf.Count == 1 && schema.Properties is not { Count: > 0 } && !_resolving.Contains(schema))
                {
                    _resolving.Add(schema);
                    var single = ResolveAndRelease(schema, allOf[0], hint, pointer + "/allOf/0");
                    return Remember(schema, new Resolved(single.Type, single.Nullable || nullable));
                }

                if (!allOf.Any(p => IsObjectLike(Target(p))) && schema.Properties is not { Count: > 0 })
                {
                    var first = ResolveSchema(allOf[0], hint, pointer + "/allOf/0");
                    return Remember(schema, new Resolved(first.Type, first.Nullable || nullable));
                }

                return BuildObject(schema, hint, pointer, exactName, nullable);
            }

            if (schema.Enum is { Count: > 0 } values)
            {
                var strings = values.Where(v => v is JsonValue).Select(v => v!.AsValue()).ToList();
                var allStrings = strings.Count > 0 && strings.All(v => v.GetValueKind() == System.Text.Json.JsonValueKind.String);
                if (strings.Count > 0 && (types.Contains(JsonSchemaType.String) || (types.Count == 0 && allStrings)))
                {
                    return BuildEnum(schema, strings.Select(v => v.ToString()).ToList(), hint, exactName, nullable || values.Any(v => v is null));
                }
            }

            if (types.Count > 1)
            {
                // A type array (3.1), or a oneOf of scalars the reader folds into one: a union of those types.
                var parts = types.Select(t => (IOpenApiSchema)new OpenApiSchema { Type = t, Format = schema.Format, Items = schema.Items, Properties = schema.Properties }).ToList();
                return ResolveComposition(schema, parts, hint, pointer, exactName, nullable);
            }

            JsonSchemaType? type = types.Count == 1 ? types[0] : null;
            if (type is null)
            {
                if (schema.Properties is { Count: > 0 } || schema.AdditionalProperties is not null)
                {
                    type = JsonSchemaType.Object;
                }
                else if (schema.Items is not null)
                {
                    type = JsonSchemaType.Array;
                }
                else if (schema.Const is { } constant)
                {
                    // 3.1 "const" without a type: a string unless it reads as a number or a boolean.
                    type = constant is "true" or "false" ? JsonSchemaType.Boolean
                        : double.TryParse(constant, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _) ? JsonSchemaType.Number
                        : JsonSchemaType.String;
                }
            }

            switch (type)
            {
                case JsonSchemaType.String:
                    return Remember(schema, new Resolved(IsBinary(schema) ? TypeRef.String : StringType(schema.Format), nullable));
                case JsonSchemaType.Integer:
                    return Remember(schema, new Resolved(schema.Format == "int32" ? TypeRef.Int32 : TypeRef.Int64, nullable));
                case JsonSchemaType.Number:
                    return Remember(schema, new Resolved(schema.Format == "float" ? TypeRef.Single : TypeRef.Double, nullable));
                case JsonSchemaType.Boolean:
                    return Remember(schema, new Resolved(TypeRef.Boolean, nullable));
                case JsonSchemaType.Array:
                    if (!_resolving.Add(schema))
                    {
                        return new Resolved(TypeRef.ListOf(TypeRef.Json), nullable);
                    }

                    var item = ResolveAndRelease(schema, schema.Items, hint + "Item", pointer + "/items");
                    return Remember(schema, new Resolved(TypeRef.ListOf(ElementOf(item)), nullable));
                case JsonSchemaType.Object:
                    if (schema.Properties is { Count: > 0 })
                    {
                        return BuildObject(schema, hint, pointer, exactName, nullable);
                    }

                    if (schema.AdditionalProperties is { } additional && !_resolving.Contains(schema))
                    {
                        _resolving.Add(schema);
                        var value = ResolveAndRelease(schema, additional, hint + "Value", pointer + "/additionalProperties");
                        return Remember(schema, new Resolved(TypeRef.MapOf(ElementOf(value)), nullable));
                    }

                    return Remember(schema, new Resolved(TypeRef.Json, nullable));
                default:
                    return Remember(schema, new Resolved(TypeRef.Json, nullable));
            }
        }

        private Resolved ResolveAndRelease(IOpenApiSchema owner, IOpenApiSchema? schema, string hint, string pointer)
        {
            try
            {
                return ResolveSchema(schema, hint, pointer);
            }
            finally
            {
                _resolving.Remove(owner);
            }
        }

        /// <summary>Nullable value types inside collections need their own metadata; reference types stay as they are.</summary>
        private static TypeRef ElementOf(Resolved resolved) =>
            resolved.Nullable && resolved.Type.IsValueType && resolved.Type.Kind != TypeKind.NullableValue && resolved.Type != TypeRef.Json
                ? TypeRef.NullableOf(resolved.Type)
                : resolved.Type;

        private static TypeRef StringType(string? format) => format switch
        {
            "date-time" => TypeRef.DateTimeOffset,
            "byte" => TypeRef.Bytes,
            _ => TypeRef.String,
        };

        private Resolved Remember(IOpenApiSchema schema, Resolved resolved)
        {
            _resolved[schema] = resolved;
            return resolved;
        }

        /// <summary>The types a schema names, without <c>null</c> (3.1 type arrays, 3.0's nullable and Swagger's x-nullable arrive as a null flag).</summary>
        private static List<JsonSchemaType> TypeList(IOpenApiSchema schema)
        {
            var result = new List<JsonSchemaType>();
            if (schema.Type is not { } flags)
            {
                return result;
            }

            foreach (var one in new[] { JsonSchemaType.String, JsonSchemaType.Integer, JsonSchemaType.Number, JsonSchemaType.Boolean, JsonSchemaType.Object, JsonSchemaType.Array })
            {
                if ((flags & one) == one)
                {
                    result.Add(one);
                }
            }

            return result;
        }

        /// <summary>A variant that only admits null: <c>{type: null}</c>, <c>{enum: [null]}</c> or a bare <c>{nullable: true}</c>.</summary>
        private static bool IsNullSchema(IOpenApiSchema candidate)
        {
            if (candidate is OpenApiSchemaReference || TypeList(candidate).Count > 0)
            {
                return false;
            }

            if (candidate.Type == JsonSchemaType.Null)
            {
                return true;
            }

            if (candidate.Enum is { Count: > 0 } values)
            {
                return values.All(v => v is null);
            }

            return IsNullable(candidate) && candidate.Properties is not { Count: > 0 } && candidate.Items is null && candidate.AllOf is not { Count: > 0 } &&
                candidate.OneOf is not { Count: > 0 } && candidate.AnyOf is not { Count: > 0 };
        }

        private static bool IsNullable(IOpenApiSchema schema) =>
            (schema.Type is { } flags && (flags & JsonSchemaType.Null) == JsonSchemaType.Null) || Extension(schema, "x-nullable") is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True ||
            Extension(schema, "nullable") is JsonValue n && n.GetValueKind() == System.Text.Json.JsonValueKind.True;

        private static bool IsBinary(IOpenApiSchema? schema) =>
            schema is not null && (schema.Format == "binary" || (schema.Type is { } t && (t & JsonSchemaType.String) != 0 && Extension(schema, "contentEncoding") is not null));

        /// <summary>The JSON value of an <c>x-</c> extension (or of a keyword the reader kept as one), or null.</summary>
        private static JsonNode? Extension(IOpenApiSchema? schema, string name) =>
            schema?.Extensions is { } extensions && extensions.TryGetValue(name, out var extension) && extension is JsonNodeExtension node ? node.Node : null;

        private static string? Doc(IOpenApiSchema? schema)
        {
            var text = schema?.Description ?? schema?.Title;
            return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
        }

        private readonly struct Resolved
        {
            public Resolved(TypeRef type, bool nullable)
            {
                Type = type;
                Nullable = nullable;
            }

            public TypeRef Type { get; }

            public bool Nullable { get; }
        }

        private sealed class TypeBuilder
        {
            public TypeBuilder(TypeKind kind, string name, string? doc)
            {
                Kind = kind;
                Name = name;
                Doc = doc;
            }

            public TypeKind Kind { get; }

            public string Name { get; }

            public string? Doc { get; }

            public List<PropertyModel> Properties { get; } = new();

            public List<EnumMemberModel> Members { get; } = new();

            public List<VariantModel> Variants { get; } = new();

            public string? BaseType { get; set; }

            public string? Discriminator { get; set; }

            public string? UnknownVariant { get; set; }
        }
    }
}
