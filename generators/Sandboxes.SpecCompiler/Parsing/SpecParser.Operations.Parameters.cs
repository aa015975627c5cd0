using System;
using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>Path, query, header and cookie parameters, body and form fields: their signature types, styles and wire names.</summary>
    internal sealed partial class SpecParser
    {
        private ParameterModel ReadSimpleParameter(string operationName, string path, MapNode parameter, string wireName, string location, HashSet<string> used)
        {
            var schemaNode = _swagger2 ? parameter : (parameter["schema"] ?? (parameter.Map("content")?.Entries.Select(e => (e.Value as MapNode)?["schema"]).FirstOrDefault()));
            var resolved = ResolveSchema(schemaNode, operationName + Naming.Pascal(wireName));
            var required = location == "path" || parameter.Bool("required");
            var style = "Form";
            var explode = true;
            var sentName = wireName;
            var type = ScalarParameterType(resolved.Type, schemaNode as MapNode, out var isMap);

            if (location == "query")
            {
                if (_swagger2)
                {
                    switch (parameter.String("collectionFormat"))
                    {
                        case "multi":
                            break;
                        case "ssv":
                            style = "SpaceDelimited";
                            explode = false;
                            break;
                        case "pipes":
                            style = "PipeDelimited";
                            explode = false;
                            break;
                        default:
                            // csv, the Swagger 2 default: only arrays are affected.
                            explode = parameter.String("type") != "array";
                            break;
                    }
                }
                else
                {
                    style = parameter.String("style") switch
                    {
                        "spaceDelimited" => "SpaceDelimited",
                        "pipeDelimited" => "PipeDelimited",
                        "deepObject" => "DeepObject",
                        _ => "Form",
                    };
                    explode = parameter["explode"] is ScalarNode { Kind: ScalarKind.Bool } e ? e.Value == "true" : style == "Form";
                }

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
                    type = "global::System.Collections.Generic.IReadOnlyDictionary<string, string>";
                }
            }
            else if (isMap)
            {
                type = "string";
            }

            var csharpName = Naming.Unique(Naming.Camel(sentName == wireName ? wireName : sentName, "parameter"), used);
            var catchAll = location == "path" && IsCatchAll(path, wireName, parameter);
            var parameterLocation = location switch
            {
                "path" => ParameterLocation.Path,
                "header" => ParameterLocation.Header,
                "cookie" => ParameterLocation.Cookie,
                _ => ParameterLocation.Query,
            };
            return new ParameterModel(csharpName, sentName, parameterLocation, required ? type : Optional(type), required, Doc(parameter), style, explode, catchAll, null);
        }

        /// <summary>The signature type of a path, query, header or cookie value; maps and objects are flagged.</summary>
        private static string ScalarParameterType(TypeRef type, MapNode? schema, out bool isMap)
        {
            isMap = false;
            switch (type.Kind)
            {
                case TypeKind.BuiltIn when type == TypeRef.Json:
                    isMap = schema is not null && (TypeList(schema).Contains("object") || schema.Has("properties") || schema.Has("additionalProperties"));
                    return "string";
                case TypeKind.BuiltIn:
                case TypeKind.Enum:
                    return type.CSharp;
                case TypeKind.NullableValue:
                    return type.Element!.CSharp;
                case TypeKind.List:
                    var element = type.Element!;
                    var elementType = element.Kind is TypeKind.BuiltIn or TypeKind.Enum && element != TypeRef.Json ? element.CSharp
                        : element.Kind == TypeKind.NullableValue ? element.Element!.CSharp : "string";
                    return "global::System.Collections.Generic.IEnumerable<" + elementType + ">";
                default:
                    isMap = true;
                    return "string";
            }
        }

        private static string Optional(string type) => type.EndsWith("?", StringComparison.Ordinal) ? type : type + "?";

        private bool IsCatchAll(string path, string name, MapNode? parameter)
        {
            // A trailing {path}-like placeholder carries a file path whose slashes are meant as slashes.
            if (parameter is not null && (parameter.Bool("allowReserved") || parameter.Bool("x-catch-all") || (Deref(parameter["schema"]) as MapNode)?.Bool("x-catch-all") == true))
            {
                return true;
            }

            return (path.EndsWith("{" + name + "}", StringComparison.Ordinal) || path.EndsWith("{*" + name + "}", StringComparison.Ordinal) || path.EndsWith("{**" + name + "}", StringComparison.Ordinal))
                && name.EndsWith("path", StringComparison.OrdinalIgnoreCase);
        }

        private ParameterModel BodyParameter(string name, string wireName, Resolved resolved, bool required, string? doc)
        {
            var type = resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element! : resolved.Type;
            return new ParameterModel(name, wireName, ParameterLocation.Body, required ? type.CSharp : type.CSharpNullable, required, doc, "Form", true, false, type);
        }

        private ParameterModel FieldParameter(string operationName, string wireName, MapNode schema, bool required, bool multipart, string? doc, HashSet<string> used)
        {
            var csharpName = Naming.Unique(Naming.Camel(wireName, "field"), used);
            var location = multipart ? ParameterLocation.Part : ParameterLocation.FormField;
            if (multipart && IsBinarySchema(schema))
            {
                const string file = "global::Sandboxes.Http.ApiFile";
                return new ParameterModel(csharpName, wireName, location, required ? file : file + "?", required, doc, "Form", true, false, null);
            }

            if (multipart && TypeList(schema).Contains("array") && IsBinarySchema(schema["items"]))
            {
                const string files = "global::System.Collections.Generic.IEnumerable<global::Sandboxes.Http.ApiFile>";
                return new ParameterModel(csharpName, wireName, location, required ? files : files + "?", required, doc, "Form", true, false, null);
            }

            var resolved = ResolveSchema(schema, operationName + Naming.Pascal(wireName));
            var type = resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element! : resolved.Type;
            var scalar = type.Kind is TypeKind.BuiltIn or TypeKind.Enum && type != TypeRef.Json;
            var scalarList = type.Kind == TypeKind.List && type.Element!.Kind is TypeKind.BuiltIn or TypeKind.Enum && type.Element != TypeRef.Json;
            if (scalar || scalarList || !multipart)
            {
                var csharp = scalar ? type.CSharp : scalarList ? "global::System.Collections.Generic.IEnumerable<" + type.Element!.CSharp + ">" : "string";
                return new ParameterModel(csharpName, wireName, location, required ? csharp : Optional(csharp), required, doc, "Form", true, false, null);
            }

            // An object, a list of objects or a map travels as a JSON part.
            return new ParameterModel(csharpName, wireName, location, required ? type.CSharp : type.CSharpNullable, required, doc, "Form", true, false, type);
        }
    }
}
