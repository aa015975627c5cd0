using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    internal sealed partial class SpecParser
    {
        private static readonly HttpMethod[] Methods = { HttpMethod.Get, HttpMethod.Put, HttpMethod.Post, HttpMethod.Delete, HttpMethod.Options, HttpMethod.Head, HttpMethod.Patch };
        private static readonly Regex KeyPrefixName = new(@"^(?<base>[^{}]+)\.\{[^{}]+\}$", RegexOptions.CultureInvariant);
        private static readonly HashSet<string> IgnoredHeaders = new(StringComparer.OrdinalIgnoreCase) { "Accept", "Content-Type", "Authorization" };

        private EquatableArray<OperationModel> ReadOperations()
        {
            var operations = new List<OperationModel>();
            var usedNames = new HashSet<string>(StringComparer.Ordinal);
            usedNames.UnionWith(ReservedMemberNames);
            var matchedFilters = new HashSet<string>(StringComparer.Ordinal);

            foreach (var pathEntry in _document.Paths ?? new OpenApiPaths())
            {
                var pathItem = pathEntry.Value;
                foreach (var method in Methods)
                {
                    if (pathItem.Operations is null || !pathItem.Operations.TryGetValue(method, out var operation) ||
                        (_request.Filtered && !Included(operation, method.Method, pathEntry.Key, matchedFilters)))
                    {
                        continue;
                    }

                    var pointer = "#/paths/" + Escape(pathEntry.Key) + "/" + method.Method.ToLowerInvariant();
                    var name = OperationName(operation, method.Method, pathEntry.Key, usedNames);
                    var model = ReadOperation(name, method.Method, pathEntry.Key, pathItem, operation, pointer);
                    if (model is not null)
                    {
                        operations.Add(model);
                    }
                }
            }

            if (_request.Filtered)
            {
                ReportUnmatchedFilters(matchedFilters);
                if (operations.Count == 0)
                {
                    Report("SBX009", "#/paths", FileName(_request.Path));
                }
            }

            return operations.ToEquatableArray();
        }

        private bool Included(OpenApiOperation operation, string method, string path, HashSet<string> matched)
        {
            var included = false;
            foreach (var tag in operation.Tags?.Select(t => t.Name) ?? Enumerable.Empty<string?>())
            {
                var filter = tag is null ? null : _request.IncludeTags.FirstOrDefault(t => string.Equals(t, tag, StringComparison.OrdinalIgnoreCase));
                if (filter is not null)
                {
                    matched.Add("tag:" + filter);
                    included = true;
                }
            }

            foreach (var prefix in _request.IncludePaths.Where(prefix => path.StartsWith(prefix, StringComparison.Ordinal)))
            {
                matched.Add("path:" + prefix);
                included = true;
            }

            // An operation is named by its operationId or, when it has none (E2B, Jupyter), by the method name the compiler
            // gives it (PostSandboxesBySandboxIDTimeout, without a duplicate's numeric suffix).
            var id = operation.OperationId is { Length: > 0 } given ? given : BaseOperationName(operation, method, path);
            if (_request.IncludeOperations.Contains(id))
            {
                matched.Add("operation:" + id);
                included = true;
            }

            return included;
        }

        /// <summary>A filter that matches nothing is most likely misspelt: say so, since the operation it meant is silently missing.</summary>
        private void ReportUnmatchedFilters(HashSet<string> matched)
        {
            foreach (var tag in _request.IncludeTags.Where(t => !matched.Contains("tag:" + t)))
            {
                Report("SBX014", "#/paths", tag, FileName(_request.Path), "tag");
            }

            foreach (var prefix in _request.IncludePaths.Where(p => !matched.Contains("path:" + p)))
            {
                Report("SBX014", "#/paths", prefix, FileName(_request.Path), "path");
            }

            foreach (var id in _request.IncludeOperations.Where(o => !matched.Contains("operation:" + o)))
            {
                Report("SBX014", "#/paths", id, FileName(_request.Path), "operationId (or generated name of an operation without one)");
            }
        }

        private static string OperationName(OpenApiOperation operation, string method, string path, HashSet<string> used)
        {
            var name = BaseOperationName(operation, method, path);
            var candidate = name;
            for (var i = 2; used.Contains(candidate) || used.Contains(candidate + "WithResponse") || used.Contains(candidate + "Stream"); i++)
            {
                candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            used.Add(candidate);
            used.Add(candidate + "WithResponse");
            used.Add(candidate + "Stream");
            return candidate;
        }

        /// <summary>The method name of an operation before duplicates are told apart: its operationId, or its method and path.</summary>
        private static string BaseOperationName(OpenApiOperation operation, string method, string path)
        {
            string name;
            if (operation.OperationId is { Length: > 0 } id)
            {
                name = Naming.Pascal(id, "Operation");
            }
            else
            {
                // No operationId (E2B, Hopx, Blaxel): method, then each path segment; a parameter segment reads "By{Name}".
                name = Naming.Pascal(method.ToLowerInvariant());
                foreach (var segment in path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    name += segment.StartsWith("{", StringComparison.Ordinal) ? "By" + Naming.Pascal(segment.Trim('{', '}', '*')) : Naming.Pascal(segment, string.Empty).TrimStart('_');
                }
            }

            if (name.EndsWith("Async", StringComparison.Ordinal) && name.Length > 5)
            {
                name = name.Substring(0, name.Length - 5);
            }

            return name;
        }

        private OperationModel? ReadOperation(string name, string method, string path, IOpenApiPathItem pathItem, OpenApiOperation operation, string pointer)
        {
            var parameters = new List<ParameterModel>();
            // "cancellationToken" ends every signature.
            var usedParameterNames = new HashSet<string>(StringComparer.Ordinal) { "cancellationToken" };
            var bodyKind = BodyKind.None;
            string? bodyContentType = null;

            foreach (var (parameter, parameterPointer) in MergedParameters(pathItem, operation, pointer))
            {
                var wireName = parameter.Name ?? string.Empty;
                switch (parameter.In)
                {
                    case ParameterLocation.Path:
                    case ParameterLocation.Query:
                    case ParameterLocation.Header:
                        if (parameter.In == ParameterLocation.Header && IgnoredHeaders.Contains(wireName))
                        {
                            continue;
                        }

                        parameters.Add(ReadSimpleParameter(name, path, parameter, wireName, parameterPointer, usedParameterNames));
                        break;
                    default:
                        // Cookies (and 3.2's querystring) have no Refit attribute: a handler can add them.
                        Report("SBX006", parameterPointer, wireName, method, path, $"parameters 'in: {parameter.In?.ToString().ToLowerInvariant() ?? "?"}' are not supported");
                        break;
                }
            }

            if (operation.RequestBody is { } requestBody)
            {
                var read = ReadRequestBody(name, method, path, requestBody, parameters, usedParameterNames, pointer + "/requestBody");
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
                if (!parameters.Any(p => p.Location == ParameterKind.Path && p.WireName == placeholder))
                {
                    parameters.Add(new ParameterModel(Naming.Unique(Naming.Camel(placeholder), usedParameterNames), placeholder, ParameterKind.Path, "string",
                        true, null, "Simple", false, IsCatchAll(path, placeholder, null), null));
                }
            }

            var (responseKind, responseType, responseContentType, responseHeaders) = ReadResponse(name, operation, pointer + "/responses");

            // Required parameters first (path parameters leading, in declaration order), then optional ones, which get defaults.
            var ordered = parameters.Where(p => p.Location == ParameterKind.Path)
                .Concat(parameters.Where(p => p.Required && p.Location != ParameterKind.Path))
                .Concat(parameters.Where(p => !p.Required && p.Location != ParameterKind.Path))
                .ToEquatableArray();
            return new OperationModel(
                name,
                method,
                path,
                operation.OperationId,
                Trimmed(operation.Summary),
                Trimmed(operation.Description),
                operation.Deprecated,
                ordered,
                bodyKind,
                bodyContentType,
                responseKind,
                responseType,
                responseContentType,
                responseHeaders);
        }

        /// <summary>The path item's parameters and the operation's, an operation's one replacing the path item's with the same name and location.</summary>
        private static List<(IOpenApiParameter Parameter, string Pointer)> MergedParameters(IOpenApiPathItem pathItem, OpenApiOperation operation, string pointer)
        {
            var result = new List<(IOpenApiParameter, string)>();
            var pathPointer = pointer.Substring(0, pointer.LastIndexOf('/'));
            var all = (pathItem.Parameters ?? new List<IOpenApiParameter>()).Select((p, i) => (p, pathPointer + "/parameters/" + i))
                .Concat((operation.Parameters ?? new List<IOpenApiParameter>()).Select((p, i) => (p, pointer + "/parameters/" + i)));
            foreach (var (parameter, at) in all)
            {
                var index = result.FindIndex(p => p.Item1.Name == parameter.Name && p.Item1.In == parameter.In);
                if (index >= 0)
                {
                    result[index] = (parameter, at);
                }
                else
                {
                    result.Add((parameter, at));
                }
            }

            return result;
        }

        private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }
}
