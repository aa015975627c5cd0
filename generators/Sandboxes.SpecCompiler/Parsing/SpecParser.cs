using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>
    /// Turns one OpenAPI document, as Microsoft.OpenApi reads it (Swagger 2.0 and OpenAPI 3.0 already lifted to its 3.x
    /// object model, <c>$ref</c>s resolved), into an <see cref="ApiModel"/>: names, types and operations as strings and flags.
    /// One instance per spec.
    /// </summary>
    internal sealed partial class SpecParser
    {
        private readonly SpecRequest _request;
        private readonly OpenApiDocument _document;
        private readonly List<DiagnosticInfo> _diagnostics = new();
        private string _namespace = string.Empty;
        private string _clientName = string.Empty;

        private SpecParser(SpecRequest request, OpenApiDocument document, IEnumerable<DiagnosticInfo> readerDiagnostics)
        {
            _request = request;
            _document = document;
            _diagnostics.AddRange(readerDiagnostics);
        }

        /// <summary>Reads the spec file (or <paramref name="text"/> when given) and parses it; a spec that cannot be read gives diagnostics and no model.</summary>
        public static ParseResult Parse(SpecRequest request, string? text = null)
        {
            var read = SpecDocumentReader.Read(request.Path, text);
            if (read.Document is null)
            {
                return new ParseResult(null, read.Diagnostics);
            }

            var parser = new SpecParser(request, read.Document, read.Diagnostics);
            ApiModel? api;
            try
            {
                api = parser.ParseDocument();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                parser.Report("SBX011", string.Empty, FileName(request.Path), e.GetType().Name + ": " + e.Message);
                api = null;
            }

            return new ParseResult(api, parser._diagnostics.ToEquatableArray());
        }

        internal static string FileName(string path)
        {
            var slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            return slash >= 0 ? path.Substring(slash + 1) : path;
        }

        private ApiModel? ParseDocument()
        {
            var title = string.IsNullOrWhiteSpace(_document.Info?.Title) ? FileName(_request.Path) : _document.Info!.Title!;
            _clientName = ChooseClientName(title);
            _namespace = ChooseNamespace();
            var visibility = ChooseVisibility();
            var baseUrl = string.IsNullOrWhiteSpace(_request.BaseUrl) ? ReadServer() : _request.BaseUrl!.Trim();

            ReserveTypeNames();
            ReadComponentSchemas();
            var operations = ReadOperations();
            if (_request.Filtered && operations.Count == 0)
            {
                return null;
            }

            var types = FreezeTypes(operations);
            var jsonTypes = CollectJsonTypes(types, operations);
            return new ApiModel(
                _request.Path,
                _namespace,
                _clientName,
                visibility,
                title,
                _document.Info?.Description,
                _document.Info?.Version ?? string.Empty,
                baseUrl,
                types,
                operations,
                jsonTypes);
        }

        private string ChooseClientName(string title)
        {
            var given = _request.ClientName;
            if (!string.IsNullOrWhiteSpace(given))
            {
                var pascal = Naming.Pascal(given);
                if (pascal == given!.Trim())
                {
                    return pascal;
                }

                Report("SBX008", string.Empty, "ClientName", given, FileName(_request.Path), "it must be a C# identifier");
            }

            // "E2B API" -> E2B, "Daytona Toolbox API" -> DaytonaToolbox: the trailing "API" is implied by the names built on it.
            var words = title.Split(new[] { ' ', '-', '_', '.' }, StringSplitOptions.RemoveEmptyEntries).ToList();
            while (words.Count > 1 && (words[words.Count - 1].Equals("API", StringComparison.OrdinalIgnoreCase) || words[words.Count - 1].Equals("OpenAPI", StringComparison.OrdinalIgnoreCase)))
            {
                words.RemoveAt(words.Count - 1);
            }

            var name = Naming.Pascal(string.Join(" ", words), "Api");
            return name.StartsWith("_", StringComparison.Ordinal) ? "Api" + name : name;
        }

        private string ChooseNamespace()
        {
            var given = _request.Namespace;
            if (!string.IsNullOrWhiteSpace(given))
            {
                if (Naming.IsNamespace(given!.Trim()))
                {
                    return given.Trim();
                }

                Report("SBX008", string.Empty, "Namespace", given, FileName(_request.Path), "it must be a dotted C# namespace");
            }

            var root = _request.RootNamespace;
            return string.IsNullOrWhiteSpace(root) || !Naming.IsNamespace(root!) ? _clientName : root + "." + _clientName;
        }

        private string ChooseVisibility()
        {
            var given = _request.Visibility;
            if (string.IsNullOrWhiteSpace(given) || given!.Trim() == "public")
            {
                return "public";
            }

            if (given.Trim() == "internal")
            {
                return "internal";
            }

            Report("SBX008", string.Empty, "Visibility", given, FileName(_request.Path), "it must be 'public' or 'internal'");
            return "public";
        }

        /// <summary>The first server's URL with its variables at their defaults (Swagger 2's host and basePath arrive here as a server).</summary>
        private string ReadServer()
        {
            var server = _document.Servers?.FirstOrDefault();
            if (server?.Url is not { } url)
            {
                return string.Empty;
            }

            foreach (var variable in server.Variables ?? new Dictionary<string, OpenApiServerVariable>())
            {
                url = url.Replace("{" + variable.Key + "}", variable.Value.Default ?? string.Empty);
            }

            return url;
        }

        private void Report(string id, string pointer, params string[] arguments)
        {
            _diagnostics.Add(new DiagnosticInfo(id, _request.Path, pointer, arguments.ToEquatableArray()));
        }

        /// <summary>A JSON pointer segment: <c>~</c> and <c>/</c> escaped (RFC 6901).</summary>
        internal static string Escape(string segment) => segment.Replace("~", "~0").Replace("/", "~1");
    }
}
