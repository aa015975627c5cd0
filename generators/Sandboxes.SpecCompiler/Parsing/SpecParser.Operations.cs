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
            // "request" is the local the request builder uses; "cancellationToken" ends every signature.
            var usedParameterNames = new HashSet<string>(StringComparer.Ordinal) { "cancellationToken", "request" };
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

        private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }
}
