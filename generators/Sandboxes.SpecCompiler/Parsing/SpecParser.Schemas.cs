using System;
using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    internal sealed partial class SpecParser
    {
        private static readonly string[] ReservedMemberNames = { "EqualityContract", "Equals", "GetHashCode", "ToString", "GetType", "Deconstruct", "PrintMembers", "Clone", "MemberwiseClone", "Finalize" };

        private readonly List<TypeBuilder> _types = new List<TypeBuilder>();
        private readonly Dictionary<string, TypeBuilder> _buildersByName = new Dictionary<string, TypeBuilder>(StringComparer.Ordinal);
        private readonly HashSet<string> _typeNames = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _schemaNames = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<SpecNode, Resolved> _resolved = new Dictionary<SpecNode, Resolved>(ReferenceComparer.Instance);
        private readonly HashSet<SpecNode> _resolving = new HashSet<SpecNode>(ReferenceComparer.Instance);
        private readonly HashSet<string> _claimedVariants = new HashSet<string>(StringComparer.Ordinal);
        private MapNode? _schemas;

        private MapNode? Schemas => _schemas ??= _swagger2 ? _root.Map("definitions") : _root.Map("components")?.Map("schemas");

        private void ReserveTypeNames()
        {
            _typeNames.Add(_clientName + "Client");
            _typeNames.Add("I" + _clientName + "Api");
            _typeNames.Add(_clientName + "JsonContext");
            foreach (var entry in Schemas?.Entries ?? new List<KeyValuePair<string, SpecNode>>())
            {
                _schemaNames[entry.Key] = TypeName(entry.Key, "Schema");
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
            foreach (var entry in Schemas?.Entries ?? new List<KeyValuePair<string, SpecNode>>())
            {
                _cancellationToken.ThrowIfCancellationRequested();
                ResolveNamed(entry.Key);
            }
        }

        private Resolved ResolveNamed(string key)
        {
            var node = Schemas![key]!;
            return ResolveSchema(node, _schemaNames[key], exactName: true);
        }

        /// <summary>The C# type of a schema and whether the schema allows null. Generated types are created on first use.</summary>
        private Resolved ResolveSchema(SpecNode? node, string hint, bool exactName = false)
        {
            if (node is not MapNode map)
            {
                return new Resolved(TypeRef.Json, true);
            }

            if (_resolved.TryGetValue(map, out var cached))
            {
                return cached;
            }

            if (map.String("$ref") is { } reference)
            {
                var siblingNullable = IsNullable(map);
                var key = SchemaKey(reference);
                Resolved target;
                if (key is not null && Schemas?.Has(key) == true)
                {
                    // A chain of $refs that comes back to itself has no type: JsonElement.
                    if (!_resolving.Add(map))
                    {
                        return new Resolved(TypeRef.Json, true);
                    }

                    try
                    {
                        target = ResolveNamed(key);
                    }
                    finally
                    {
                        _resolving.Remove(map);
                    }
                }
                else
                {
                    var resolvedNode = Resolve(reference, map);
                    target = resolvedNode is null || !_resolving.Add(map)
                        ? new Resolved(TypeRef.Json, true)
                        : ResolveAndRelease(map, resolvedNode, LastSegment(reference) ?? hint);
                }

                return siblingNullable ? new Resolved(target.Type, true) : target;
            }

            var nullable = IsNullable(map);
            var types = TypeList(map);

            var composition = map.Seq("oneOf") ?? map.Seq("anyOf");
            if (composition is not null)
            {
                return ResolveComposition(map, composition, hint, exactName, nullable);
            }

            if (map.Seq("allOf") is { } allOf)
            {
                var parts = allOf.Items;
                if (parts.Count == 1 && !map.Has("properties") && !_resolving.Contains(map))
                {
                    _resolving.Add(map);
                    var single = ResolveAndRelease(map, parts[0], hint);
                    return Remember(map, new Resolved(single.Type, single.Nullable || nullable));
                }

                if (!parts.Any(p => IsObjectLike(Deref(p) as MapNode)) && !map.Has("properties"))
                {
                    var first = ResolveSchema(parts.FirstOrDefault(), hint);
                    return Remember(map, new Resolved(first.Type, first.Nullable || nullable));
                }

                return BuildObject(map, hint, exactName, nullable);
            }

            if (map.Seq("enum") is { } values)
            {
                var strings = values.Items.OfType<ScalarNode>().Where(v => v.Kind != ScalarKind.Null).ToList();
                if (strings.Count > 0 && (types.Contains("string") || (types.Count == 0 && strings.All(v => v.Kind == ScalarKind.String))))
                {
                    return BuildEnum(map, strings, hint, exactName, nullable || values.Items.OfType<ScalarNode>().Any(v => v.Kind == ScalarKind.Null));
                }
            }

            if (types.Count > 1)
            {
                return Remember(map, new Resolved(TypeRef.Json, nullable));
            }

            var type = types.FirstOrDefault();
            if (type is null)
            {
                if (map.Has("properties") || map.Has("additionalProperties"))
                {
                    type = "object";
                }
                else if (map.Has("items"))
                {
                    type = "array";
                }
                else if (map["const"] is ScalarNode constant)
                {
                    type = constant.Kind switch { ScalarKind.Bool => "boolean", ScalarKind.Number => "number", _ => "string" };
                }
            }

            switch (type)
            {
                case "string":
                    return Remember(map, new Resolved(StringType(map.String("format")), nullable));
                case "integer":
                    return Remember(map, new Resolved(map.String("format") == "int32" ? TypeRef.Int32 : TypeRef.Int64, nullable));
                case "number":
                    return Remember(map, new Resolved(map.String("format") == "float" ? TypeRef.Single : TypeRef.Double, nullable));
                case "boolean":
                    return Remember(map, new Resolved(TypeRef.Boolean, nullable));
                case "file":
                    return Remember(map, new Resolved(TypeRef.String, nullable));
                case "array":
                    if (!_resolving.Add(map))
                    {
                        return new Resolved(TypeRef.ListOf(TypeRef.Json), nullable);
                    }

                    var item = ResolveAndRelease(map, map["items"], hint + "Item");
                    return Remember(map, new Resolved(TypeRef.ListOf(ElementOf(item)), nullable));
                case "object":
                    if (map.Map("properties") is { Entries.Count: > 0 })
                    {
                        return BuildObject(map, hint, exactName, nullable);
                    }

                    if (map["additionalProperties"] is MapNode additional && !_resolving.Contains(map))
                    {
                        _resolving.Add(map);
                        var value = ResolveAndRelease(map, additional, hint + "Value");
                        return Remember(map, new Resolved(TypeRef.MapOf(ElementOf(value)), nullable));
                    }

                    return Remember(map, new Resolved(TypeRef.Json, nullable));
                default:
                    return Remember(map, new Resolved(TypeRef.Json, nullable));
            }
        }

        private Resolved ResolveAndRelease(SpecNode owner, SpecNode? node, string hint)
        {
            try
            {
                return ResolveSchema(node, hint);
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

        private Resolved Remember(MapNode map, Resolved resolved)
        {
            _resolved[map] = resolved;
            return resolved;
        }

        private static List<string> TypeList(MapNode map)
        {
            var result = new List<string>();
            switch (map["type"])
            {
                case ScalarNode { Value: { } single } when single != "null":
                    result.Add(single);
                    break;
                case SeqNode many:
                    foreach (var item in many.Items.OfType<ScalarNode>())
                    {
                        if (item.Value is not null && item.Value != "null")
                        {
                            result.Add(item.Value);
                        }
                    }

                    break;
            }

            return result;
        }

        /// <summary>A variant that only admits null: <c>{type: null}</c>, <c>{type: [null]}</c>, <c>{enum: [null]}</c> or a bare <c>{nullable: true}</c>.</summary>
        private static bool IsNullSchema(MapNode candidate)
        {
            if (candidate.Has("$ref") || TypeList(candidate).Count > 0)
            {
                return false;
            }

            if (candidate.String("type") == "null" || IsNullTypeArray(candidate))
            {
                return true;
            }

            if (candidate.Seq("enum") is { } values)
            {
                return values.Items.All(v => v is ScalarNode { Kind: ScalarKind.Null });
            }

            return candidate.Bool("nullable") && !candidate.Has("properties") && !candidate.Has("items") && !candidate.Has("allOf") && !candidate.Has("oneOf") && !candidate.Has("anyOf");
        }

        private static bool IsNullTypeArray(MapNode map) =>
            map["type"] is SeqNode many && many.Items.OfType<ScalarNode>().All(s => s.Value == "null");

        private static bool IsNullable(MapNode map) =>
            map.Bool("nullable") || map.Bool("x-nullable") ||
            (map["type"] is SeqNode many && many.Items.OfType<ScalarNode>().Any(s => s.Value == "null"));

        private static string? LastSegment(string reference)
        {
            var slash = reference.LastIndexOf('/');
            var segment = slash >= 0 ? reference.Substring(slash + 1) : reference;
            return segment.Length == 0 ? null : Uri.UnescapeDataString(segment).Replace("~1", "/").Replace("~0", "~");
        }

        private static string? Doc(MapNode? schema)
        {
            var text = schema?.String("description") ?? schema?.String("title");
            return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
        }

        private EquatableArray<TypeModel> FreezeTypes() =>
            _types.Select(b => new TypeModel(
                b.Kind,
                b.Name,
                b.Doc,
                b.Properties.ToEquatableArray(),
                b.Members.ToEquatableArray(),
                b.Variants.ToEquatableArray(),
                b.BaseType,
                b.Discriminator,
                b.UnknownVariant)).ToEquatableArray();

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

            public List<PropertyModel> Properties { get; } = new List<PropertyModel>();

            public List<EnumMemberModel> Members { get; } = new List<EnumMemberModel>();

            public List<VariantModel> Variants { get; } = new List<VariantModel>();

            public string? BaseType { get; set; }

            public string? Discriminator { get; set; }

            public string? UnknownVariant { get; set; }
        }

        private sealed class ReferenceComparer : IEqualityComparer<SpecNode>
        {
            public static readonly ReferenceComparer Instance = new ReferenceComparer();

            public bool Equals(SpecNode? x, SpecNode? y) => ReferenceEquals(x, y);

            public int GetHashCode(SpecNode obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
        }
    }
}
