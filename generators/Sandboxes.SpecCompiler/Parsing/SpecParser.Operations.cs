using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    internal sealed partial class SpecParser
    {
        private static readonly string[] Methods = { "get", "put", "post", "delete", "options", "head", "patch", "trace" };
        private static readonly Regex KeyPrefixName = new Regex(@"^(?<base>[^{}]+)\.\{[^{}]+\}$", RegexOptions.CultureInvariant);
        private static readonly HashSet<string> IgnoredHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Accept", "Content-Type", "Authorization" };

        private EquatableArray<OperationModel> ReadOperations(Dictionary<string, SecuritySchemeModel> schemes)
        {
            var operations = new List<OperationModel>();
            var usedNames = new HashSet<string>(StringComparer.Ordinal) { _clientName + "Client", "Core", "JsonContext", "DefaultBaseUrl", "ServerVariableDefaults" };
            usedNames.UnionWith(ReservedMemberNames);
            var options = _input.Options;
            var filtered = options.IncludeTags.Count + options.IncludePaths.Count + options.IncludeOperations.Count > 0;

            foreach (var pathEntry in _root.Map("paths")?.Entries ?? new List<KeyValuePair<string, SpecNode>>())
            {
                if (Deref(pathEntry.Value) is not MapNode pathItem)
                {
                    continue;
                }

                foreach (var method in Methods)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (pathItem.Map(method) is not { } operation || (filtered && !Included(operation, pathEntry.Key)))
                    {
                        continue;
                    }

                    var name = OperationName(operation, method, pathEntry.Key, usedNames);
                    var model = ReadOperation(name, method.ToUpperInvariant(), pathEntry.Key, pathItem, operation, schemes);
                    if (model is not null)
                    {
                        operations.Add(model);
                    }
                }
            }

            if (filtered && operations.Count == 0)
            {
                Report("SBX009", _root, FileName(_input.Path));
            }

            return operations.ToEquatableArray();
        }

        private bool Included(MapNode operation, string path)
        {
            var options = _input.Options;
            var tags = operation.Seq("tags")?.Items.OfType<ScalarNode>().Select(t => t.Value) ?? Enumerable.Empty<string?>();
            if (tags.Any(t => t is not null && options.IncludeTags.Contains(t, StringComparer.OrdinalIgnoreCase)))
            {
                return true;
            }

            if (options.IncludePaths.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return true;
            }

            var id = operation.String("operationId");
            return id is not null && options.IncludeOperations.Contains(id, StringComparer.Ordinal);
        }

        private static string OperationName(MapNode operation, string method, string path, HashSet<string> used)
        {
            string name;
            if (operation.String("operationId") is { Length: > 0 } id)
            {
                name = Naming.Pascal(id, "Operation");
            }
            else
            {
                // No operationId (E2B, Hopx, Blaxel): method, then each path segment; a parameter segment reads "By{Name}".
                name = Naming.Pascal(method);
                foreach (var segment in path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    name += segment.StartsWith("{", StringComparison.Ordinal) ? "By" + Naming.Pascal(segment.Trim('{', '}', '*')) : Naming.Pascal(segment, string.Empty).TrimStart('_');
                }
            }

            if (name.EndsWith("Async", StringComparison.Ordinal) && name.Length > 5)
            {
                name = name.Substring(0, name.Length - 5);
            }

            var candidate = name;
            for (var i = 2; used.Contains(candidate) || used.Contains(candidate + "Async") || used.Contains(candidate + "WithResponse") || used.Contains(candidate + "WithResponseAsync"); i++)
            {
                candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            used.Add(candidate);
            used.Add(candidate + "Async");
            used.Add(candidate + "WithResponse");
            used.Add(candidate + "WithResponseAsync");
            return candidate;
        }

        private OperationModel? ReadOperation(string name, string method, string path, MapNode pathItem, MapNode operation,
            Dictionary<string, SecuritySchemeModel> schemes)
        {
            var parameters = new List<ParameterModel>();
            var usedParameterNames = new HashSet<string>(StringComparer.Ordinal) { "cancellationToken" };
            var declared = MergedParameters(pathItem, operation);
            var bodyKind = BodyKind.None;
            string? bodyContentType = null;
            var formData = new List<MapNode>();

            foreach (var parameter in declared)
            {
                var wireName = parameter.String("name") ?? string.Empty;
                var location = parameter.String("in");
                switch (location)
                {
                    case "path":
                    case "query":
                    case "header":
                    case "cookie":
                        if (location == "header" && IgnoredHeaders.Contains(wireName))
                        {
                            continue;
                        }

                        parameters.Add(ReadSimpleParameter(name, path, parameter, wireName, location, usedParameterNames));
                        break;
                    case "body":
                        var consumes = Consumes(operation);
                        var schema = parameter["schema"];
                        var binary = IsBinarySchema(schema) || !consumes.Any(IsJsonMediaType);
                        var bodyName = Naming.Unique("body", usedParameterNames);
                        if (binary)
                        {
                            bodyKind = BodyKind.Stream;
                            bodyContentType = consumes.FirstOrDefault(c => !IsJsonMediaType(c)) ?? "application/octet-stream";
                            parameters.Add(new ParameterModel(bodyName, wireName, ParameterLocation.Body, "global::System.IO.Stream" + (parameter.Bool("required") ? string.Empty : "?"),
                                parameter.Bool("required"), Doc(parameter), "Form", true, false, null));
                        }
                        else
                        {
                            var resolved = ResolveSchema(schema, name + "Request");
                            bodyKind = BodyKind.Json;
                            bodyContentType = consumes.FirstOrDefault(IsJsonMediaType) ?? "application/json";
                            parameters.Add(BodyParameter(bodyName, wireName, resolved, parameter.Bool("required"), Doc(parameter)));
                        }

                        break;
                    case "formData":
                        formData.Add(parameter);
                        break;
                    default:
                        Report("SBX006", parameter, wireName, method, path, $"parameters 'in: {location}' are not supported");
                        break;
                }
            }

            if (formData.Count > 0)
            {
                var multipart = Consumes(operation).Contains("multipart/form-data") || formData.Any(p => p.String("type") == "file");
                bodyKind = multipart ? BodyKind.Multipart : BodyKind.Form;
                bodyContentType = multipart ? "multipart/form-data" : "application/x-www-form-urlencoded";
                foreach (var field in formData)
                {
                    var wireName = field.String("name") ?? "field";
                    parameters.Add(FieldParameter(name, wireName, field, field.Bool("required"), multipart, Doc(field), usedParameterNames));
                }
            }

            if (!_swagger2 && Deref(operation["requestBody"]) is MapNode requestBody)
            {
                var read = ReadRequestBody(name, method, path, requestBody, parameters, usedParameterNames);
                if (read is null)
                {
                    return null;
                }

                (bodyKind, bodyContentType) = read.Value;
            }

            // A placeholder the spec forgot to declare still needs a value.
            foreach (Match match in Regex.Matches(path, @"\{([^}]+)\}"))
            {
                var placeholder = match.Groups[1].Value.TrimStart('*');
                if (!parameters.Any(p => p.Location == ParameterLocation.Path && p.WireName == placeholder))
                {
                    parameters.Add(new ParameterModel(Naming.Unique(Naming.Camel(placeholder), usedParameterNames), placeholder, ParameterLocation.Path, "string",
                        true, null, "Simple", false, IsCatchAll(path, placeholder, null), null));
                }
            }

            var (responseKind, responseType, responseContentType, responseHeaders) = ReadResponse(name, operation);
            var security = ReadSecurity(operation, schemes);

            // Required parameters first (in declaration order), then optional ones, which get defaults.
            var ordered = parameters.Where(p => p.Location == ParameterLocation.Path)
                .Concat(parameters.Where(p => p.Required && p.Location != ParameterLocation.Path))
                .Concat(parameters.Where(p => !p.Required && p.Location != ParameterLocation.Path))
                .ToEquatableArray();
            return new OperationModel(
                name,
                method,
                path,
                operation.String("operationId"),
                Trimmed(operation.String("summary")),
                Trimmed(operation.String("description")),
                operation.Bool("deprecated"),
                ordered,
                bodyKind,
                bodyContentType,
                responseKind,
                responseType,
                responseContentType,
                responseHeaders,
                security);
        }

        private List<MapNode> MergedParameters(MapNode pathItem, MapNode operation)
        {
            var result = new List<MapNode>();
            foreach (var node in (pathItem.Seq("parameters")?.Items ?? new List<SpecNode>()).Concat(operation.Seq("parameters")?.Items ?? new List<SpecNode>()))
            {
                if (Deref(node) is not MapNode parameter)
                {
                    continue;
                }

                // An operation's parameter replaces the path item's one with the same name and location.
                var index = result.FindIndex(p => p.String("name") == parameter.String("name") && p.String("in") == parameter.String("in"));
                if (index >= 0)
                {
                    result[index] = parameter;
                }
                else
                {
                    result.Add(parameter);
                }
            }

            return result;
        }

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

        private (BodyKind Kind, string? ContentType)? ReadRequestBody(string name, string method, string path, MapNode requestBody,
            List<ParameterModel> parameters, HashSet<string> used)
        {
            var content = requestBody.Map("content");
            if (content is null || content.Entries.Count == 0)
            {
                return (BodyKind.None, null);
            }

            var required = requestBody.Bool("required");
            var doc = Doc(requestBody);
            var media = content.Entries.Select(e => e.Key).ToList();
            SpecNode? SchemaOf(string mediaType) => (content[mediaType] as MapNode)?["schema"];

            var json = media.FirstOrDefault(IsJsonMediaType);
            if (json is not null && !IsBinarySchema(SchemaOf(json)))
            {
                var resolved = ResolveSchema(SchemaOf(json), name + "Request");
                parameters.Add(BodyParameter(Naming.Unique("body", used), "body", resolved, required, doc));
                return (BodyKind.Json, json);
            }

            var form = media.FirstOrDefault(m => m.StartsWith("multipart/", StringComparison.Ordinal)) ?? media.FirstOrDefault(m => m == "application/x-www-form-urlencoded");
            if (form is not null)
            {
                var multipart = form.StartsWith("multipart/", StringComparison.Ordinal);
                var schema = Deref(SchemaOf(form)) as MapNode;
                var properties = new List<KeyValuePair<string, SpecNode>>();
                var requiredFields = new HashSet<string>(StringComparer.Ordinal);
                if (schema is not null)
                {
                    CollectProperties(schema, properties, requiredFields, 0, new HashSet<SpecNode>(ReferenceComparer.Instance));
                }

                if (properties.Count == 0)
                {
                    Report("SBX005", requestBody, method, path, $"the {form} body has no declared fields");
                    return null;
                }

                foreach (var property in properties)
                {
                    var field = Deref(property.Value) as MapNode ?? new MapNode(0, 0);
                    parameters.Add(FieldParameter(name, property.Key, field, required && requiredFields.Contains(property.Key), multipart, Doc(field), used));
                }

                return (multipart ? BodyKind.Multipart : BodyKind.Form, form);
            }

            var text = media.FirstOrDefault(m => m.StartsWith("text/", StringComparison.Ordinal) && !IsBinarySchema(SchemaOf(m)));
            var binary = media.FirstOrDefault(m => m == "application/octet-stream") ?? media.FirstOrDefault(m => !m.StartsWith("text/", StringComparison.Ordinal) || IsBinarySchema(SchemaOf(m)));
            if (binary is not null)
            {
                parameters.Add(new ParameterModel(Naming.Unique("body", used), "body", ParameterLocation.Body, "global::System.IO.Stream" + (required ? string.Empty : "?"), required, doc, "Form", true, false, null));
                return (BodyKind.Stream, binary == "*/*" ? "application/octet-stream" : binary);
            }

            if (text is not null)
            {
                parameters.Add(new ParameterModel(Naming.Unique("body", used), "body", ParameterLocation.Body, required ? "string" : "string?", required, doc, "Form", true, false, null));
                return (BodyKind.Text, text);
            }

            Report("SBX005", requestBody, method, path, "its request body media types (" + string.Join(", ", media) + ") are not supported");
            return null;
        }

        private (ResponseKind Kind, TypeRef? Type, string? ContentType, EquatableArray<string> Headers) ReadResponse(string name, MapNode operation)
        {
            var responses = operation.Map("responses");
            if (responses is null)
            {
                return (ResponseKind.None, null, null, EquatableArray<string>.Empty);
            }

            foreach (var entry in responses.Entries.Where(e => e.Key.StartsWith("2", StringComparison.Ordinal)))
            {
                if (Deref(entry.Value) is not MapNode response)
                {
                    continue;
                }

                var read = _swagger2 ? ReadSwaggerResponse(name, operation, response) : ReadOpenApiResponse(name, response);
                if (read.Kind != ResponseKind.None)
                {
                    var headers = response.Map("headers")?.Entries.Select(h => h.Key).ToEquatableArray() ?? EquatableArray<string>.Empty;
                    return (read.Kind, read.Type, read.ContentType, headers);
                }
            }

            return (ResponseKind.None, null, null, EquatableArray<string>.Empty);
        }

        private (ResponseKind Kind, TypeRef? Type, string? ContentType) ReadOpenApiResponse(string name, MapNode response)
        {
            var content = response.Map("content");
            if (content is null || content.Entries.Count == 0)
            {
                return (ResponseKind.None, null, null);
            }

            var media = content.Entries.Select(e => e.Key).ToList();
            SpecNode? SchemaOf(string mediaType) => (content[mediaType] as MapNode)?["schema"];

            var sse = media.FirstOrDefault(m => m.StartsWith("text/event-stream", StringComparison.Ordinal));
            if (sse is not null)
            {
                var schema = SchemaOf(sse);
                var resolved = schema is null ? (Resolved?)null : ResolveSchema(schema, name + "Event");
                return resolved is null || resolved.Value.Type == TypeRef.String || resolved.Value.Type == TypeRef.Json
                    ? (ResponseKind.ServerSentEvents, null, sse)
                    : (ResponseKind.EventData, Element(resolved.Value.Type), sse);
            }

            var lines = media.FirstOrDefault(IsJsonLinesMediaType);
            if (lines is not null)
            {
                var resolved = ResolveSchema(SchemaOf(lines), name + "Line");
                return (ResponseKind.JsonLines, Element(resolved.Type), lines);
            }

            var json = media.FirstOrDefault(IsJsonMediaType);
            if (json is not null && !IsBinarySchema(SchemaOf(json)))
            {
                var schema = SchemaOf(json);
                var resolved = schema is null ? new Resolved(TypeRef.Json, true) : ResolveSchema(schema, name + "Response");
                return (ResponseKind.Json, resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element : resolved.Type, json);
            }

            var text = media.FirstOrDefault(m => m.StartsWith("text/", StringComparison.Ordinal) && !IsBinarySchema(SchemaOf(m)));
            if (text is not null)
            {
                return (ResponseKind.Text, null, text);
            }

            return (ResponseKind.Stream, null, media[0]);
        }

        private (ResponseKind Kind, TypeRef? Type, string? ContentType) ReadSwaggerResponse(string name, MapNode operation, MapNode response)
        {
            var schema = response["schema"];
            var produces = Produces(operation);
            if (schema is null)
            {
                // No schema but only binary media types (a tar archive, Docker's raw stream): the body is still worth a Stream.
                var binary = produces.Count > 0 && !produces.Any(p => IsJsonMediaType(p) || p.StartsWith("text/", StringComparison.Ordinal));
                return binary ? (ResponseKind.Stream, null, produces[0]) : (ResponseKind.None, null, null);
            }

            if (IsBinarySchema(schema))
            {
                return (ResponseKind.Stream, null, produces.FirstOrDefault());
            }

            if (produces.FirstOrDefault(IsJsonLinesMediaType) is { } lines)
            {
                return (ResponseKind.JsonLines, Element(ResolveSchema(schema, name + "Line").Type), lines);
            }

            if (produces.Count == 0 || produces.Any(IsJsonMediaType))
            {
                var resolved = ResolveSchema(schema, name + "Response");
                return (ResponseKind.Json, resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element : resolved.Type, "application/json");
            }

            if (produces.Any(p => p.StartsWith("text/", StringComparison.Ordinal)))
            {
                return (ResponseKind.Text, null, produces.First(p => p.StartsWith("text/", StringComparison.Ordinal)));
            }

            return (ResponseKind.Stream, null, produces[0]);
        }

        private static TypeRef Element(TypeRef type) => type.Kind == TypeKind.List ? type.Element! : type.Kind == TypeKind.NullableValue ? type.Element! : type;

        private EquatableArray<EquatableArray<string>> ReadSecurity(MapNode operation, Dictionary<string, SecuritySchemeModel> schemes)
        {
            var security = operation.Seq("security") ?? _root.Seq("security");
            var alternatives = new List<EquatableArray<string>>();
            foreach (var alternative in security?.Items.OfType<MapNode>() ?? Enumerable.Empty<MapNode>())
            {
                var names = alternative.Entries.Where(e => schemes.ContainsKey(e.Key)).Select(e => e.Key).ToList();
                if (names.Count == alternative.Entries.Count)
                {
                    alternatives.Add(names.ToEquatableArray());
                }
            }

            return alternatives.ToEquatableArray();
        }

        private List<string> Consumes(MapNode operation) =>
            (operation.Seq("consumes") ?? _root.Seq("consumes"))?.Items.OfType<ScalarNode>().Select(s => s.Value ?? string.Empty).ToList() ?? new List<string> { "application/json" };

        private List<string> Produces(MapNode operation) =>
            (operation.Seq("produces") ?? _root.Seq("produces"))?.Items.OfType<ScalarNode>().Select(s => s.Value ?? string.Empty).ToList() ?? new List<string> { "application/json" };

        private bool IsBinarySchema(SpecNode? node)
        {
            var schema = Deref(node) as MapNode;
            if (schema is null)
            {
                return false;
            }

            var types = TypeList(schema);
            return types.Contains("file") || (types.Contains("string") && schema.String("format") == "binary") ||
                (types.Contains("string") && schema.String("contentEncoding") == "binary");
        }

        private static bool IsJsonMediaType(string mediaType) =>
            mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || mediaType == "*/*" ||
            (mediaType.IndexOf("+json", StringComparison.OrdinalIgnoreCase) >= 0) || mediaType.StartsWith("text/json", StringComparison.OrdinalIgnoreCase);

        private static bool IsJsonLinesMediaType(string mediaType) =>
            mediaType.IndexOf("ndjson", StringComparison.OrdinalIgnoreCase) >= 0 || mediaType.IndexOf("jsonl", StringComparison.OrdinalIgnoreCase) >= 0 ||
            mediaType.IndexOf("json-seq", StringComparison.OrdinalIgnoreCase) >= 0 || mediaType.IndexOf("jsonlines", StringComparison.OrdinalIgnoreCase) >= 0;

        private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }
}
