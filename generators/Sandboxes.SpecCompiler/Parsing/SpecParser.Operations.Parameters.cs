using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>Path, query and header parameters, body and multipart parts: their signature types, styles and wire names.</summary>
    internal sealed partial class SpecParser
    {
        private ParameterModel ReadSimpleParameter(string operationName, string path, IOpenApiParameter parameter, string wireName, string pointer, HashSet<string> used)
        {
            var schema = parameter.Schema ?? parameter.Content?.Values.Select(m => m.Schema).FirstOrDefault();
            var resolved = ResolveSchema(schema, operationName + Naming.Pascal(wireName), pointer + "/schema");
            var required = parameter.In == ParameterLocation.Path || parameter.Required;
            var style = "Form";
            var explode = true;
            var sentName = wireName;
            var type = ScalarParameterType(resolved.Type, Target(schema), out var isMap);

            if (parameter.In == ParameterLocation.Query)
            {
                // The reader lifts Swagger 2's collectionFormat to style and explode (csv: form, not exploded; multi: exploded).
                style = parameter.Style switch
                {
                    ParameterStyle.SpaceDelimited => "SpaceDelimited",
                    ParameterStyle.PipeDelimited => "PipeDelimited",
                    ParameterStyle.DeepObject => "DeepObject",
                    _ => "Form",
                };
                explode = parameter.Style is null or ParameterStyle.Form ? parameter.Explode || parameter.Style is null && !IsArrayParameter(schema) : parameter.Explode;
                var keyPrefix = KeyPrefixName.Match(wireName);
                if (keyPrefix.Success)
                {
                    // "metadata.{key}": one query pair per map entry, named metadata.KEY.
                    style = "KeyPrefix";
                    sentName = keyPrefix.Groups["base"].Value;
                    isMap = true;
                }

                if (isMap || style == "DeepObject")
                {
                    type = "global::System.Collections.Generic.IDictionary<string, string>";
                }
            }
            else if (isMap)
            {
                type = "string";
            }

            var csharpName = Naming.Unique(Naming.Camel(sentName, "parameter"), used);
            var catchAll = parameter.In == ParameterLocation.Path && IsCatchAll(path, wireName, parameter);
            var location = parameter.In switch
            {
                ParameterLocation.Path => ParameterLocation.Path,
                ParameterLocation.Header => ParameterLocation.Header,
                _ => ParameterLocation.Query,
            };
            // An enum value travels as its wire string (Refit would spread a struct's properties into the query); the enum
            // is still generated for its known values, so callers pass State.Running.Value.
            var enumType = EnumOf(resolved.Type);
            var doc = Trimmed(parameter.Description);
            if (enumType is not null)
            {
                doc = (doc is null ? string.Empty : doc + " ") + "One of the values of `" + enumType.Name.Substring(enumType.Name.LastIndexOf('.') + 1) + "`.";
            }

            return new ParameterModel(csharpName, sentName, location == ParameterLocation.Path ? ParameterKind.Path : location == ParameterLocation.Header ? ParameterKind.Header : ParameterKind.Query, required ? type : Optional(type), required, doc, style, explode, catchAll, enumType);
        }

        private bool IsArrayParameter(IOpenApiSchema? schema) => Target(schema) is { } target && TypeList(target).Contains(JsonSchemaType.Array);

        /// <summary>The signature type of a path, query or header value; maps and objects are flagged.</summary>
        private static string ScalarParameterType(TypeRef type, IOpenApiSchema? schema, out bool isMap)
        {
            isMap = false;
            switch (type.Kind)
            {
                case TypeKind.BuiltIn when type == TypeRef.Json:
                    isMap = schema is not null && (TypeList(schema).Contains(JsonSchemaType.Object) || schema.Properties is { Count: > 0 } || schema.AdditionalProperties is not null);
                    return "string";
                case TypeKind.BuiltIn:
                    return type.CSharp;
                case TypeKind.Enum:
                    return "string";
                case TypeKind.NullableValue:
                    return type.Element!.Kind == TypeKind.Enum ? "string" : type.Element!.CSharp;
                case TypeKind.List:
                    var element = type.Element!;
                    var elementType = element.Kind == TypeKind.BuiltIn && element != TypeRef.Json ? element.CSharp
                        : element.Kind == TypeKind.NullableValue && element.Element!.Kind != TypeKind.Enum ? element.Element!.CSharp : "string";
                    return "global::System.Collections.Generic.IEnumerable<" + elementType + ">";
                default:
                    isMap = true;
                    return "string";
            }
        }

        /// <summary>The enum a parameter's values come from (itself, nullable, or a list of it), or null.</summary>
        private static TypeRef? EnumOf(TypeRef type) => type.Kind switch
        {
            TypeKind.Enum => type,
            TypeKind.NullableValue or TypeKind.List when type.Element is { } element => EnumOf(element),
            _ => null,
        };

        private static string Optional(string type) => type.EndsWith("?", StringComparison.Ordinal) ? type : type + "?";

        private bool IsCatchAll(string path, string name, IOpenApiParameter? parameter)
        {
            // A trailing {path}-like placeholder carries a file path whose slashes are meant as slashes.
            if (parameter is not null && (parameter.AllowReserved || parameter.Extensions?.ContainsKey("x-catch-all") == true || Extension(Target(parameter.Schema), "x-catch-all") is not null))
            {
                return true;
            }

            return (path.EndsWith("{" + name + "}", StringComparison.Ordinal) || path.EndsWith("{*" + name + "}", StringComparison.Ordinal) || path.EndsWith("{**" + name + "}", StringComparison.Ordinal))
                && name.EndsWith("path", StringComparison.OrdinalIgnoreCase);
        }

        private static ParameterModel BodyParameter(string name, string wireName, Resolved resolved, bool required, string? doc)
        {
            var type = resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element! : resolved.Type;
            return new ParameterModel(name, wireName, ParameterKind.Body, required ? type.CSharp : type.CSharpNullable, required, doc, "Form", true, false, type);
        }

        private ParameterModel PartParameter(string operationName, string wireName, IOpenApiSchema? declared, bool required, string? doc, string pointer, HashSet<string> used)
        {
            var schema = Target(declared);
            var csharpName = Naming.Unique(Naming.Camel(wireName, "field"), used);
            const ParameterKind location = ParameterKind.Part;
            if (IsBinary(schema))
            {
                const string file = "global::Refit.StreamPart";
                return new ParameterModel(csharpName, wireName, location, required ? file : file + "?", required, doc, "Form", true, false, null);
            }

            if (schema is not null && TypeList(schema).Contains(JsonSchemaType.Array) && IsBinary(Target(schema.Items)))
            {
                const string files = "global::System.Collections.Generic.IEnumerable<global::Refit.StreamPart>";
                return new ParameterModel(csharpName, wireName, location, required ? files : files + "?", required, doc, "Form", true, false, null);
            }

            var resolved = ResolveSchema(declared, operationName + Naming.Pascal(wireName), pointer);
            var type = resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element! : resolved.Type;
            var scalar = type.Kind is TypeKind.BuiltIn or TypeKind.Enum && type != TypeRef.Json;
            if (scalar)
            {
                // Refit writes a scalar part with the value's ToString: enums are strings, numbers and booleans as text.
                var csharp = type.Kind == TypeKind.Enum ? "string" : type.CSharp;
                return new ParameterModel(csharpName, wireName, location, required ? csharp : Optional(csharp), required, doc, "Form", true, false, null);
            }

            // An object, a list or a map travels as a JSON part.
            return new ParameterModel(csharpName, wireName, location, required ? type.CSharp : type.CSharpNullable, required, doc, "Form", true, false, type);
        }
    }
}
