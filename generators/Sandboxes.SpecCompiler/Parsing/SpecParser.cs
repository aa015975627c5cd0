using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>
    /// Reads one OpenAPI 3.0/3.1 or Swagger 2.0 document into an <see cref="ApiModel"/>. One instance per parse; its
    /// output holds only strings, flags and equatable arrays, so the incremental pipeline can compare it.
    /// </summary>
    internal sealed partial class SpecParser
    {
        private readonly SpecInput _input;
        private readonly CancellationToken _cancellationToken;
        private readonly List<DiagnosticInfo> _diagnostics = new List<DiagnosticInfo>();
        private MapNode _root = null!;
        private bool _swagger2;
        private string _namespace = string.Empty;
        private string _clientName = string.Empty;

        private SpecParser(SpecInput input, CancellationToken cancellationToken)
        {
            _input = input;
            _cancellationToken = cancellationToken;
        }

        /// <summary>True when the text looks like an OpenAPI or Swagger document (a cheap test before any parse).</summary>
        public static bool LooksLikeSpec(string text)
        {
            // The version key may come anywhere (some vendors put it last), so search the whole text: cheap next to a parse.
            return text.IndexOf("\"openapi\"", StringComparison.Ordinal) >= 0 || text.IndexOf("\"swagger\"", StringComparison.Ordinal) >= 0 ||
                text.IndexOf("openapi:", StringComparison.Ordinal) >= 0 || text.IndexOf("swagger:", StringComparison.Ordinal) >= 0;
        }

        public static ParseResult Parse(SpecInput input, CancellationToken cancellationToken)
        {
            var parser = new SpecParser(input, cancellationToken);
            ApiModel? api;
            try
            {
                api = parser.ParseDocument();
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (SpecReadException e)
            {
                parser.Report("SBX001", e.Line, e.Column, FileName(input.Path), e.Message);
                api = null;
            }
            catch (Exception e)
            {
                parser.Report("SBX011", 0, 0, FileName(input.Path), e.GetType().Name + ": " + e.Message);
                api = null;
            }

            return new ParseResult(api, parser._diagnostics.ToEquatableArray());
        }

        private static string FileName(string path)
        {
            var slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            return slash >= 0 ? path.Substring(slash + 1) : path;
        }

        private ApiModel? ParseDocument()
        {
            var node = SpecReader.Read(_input.Text);
            if (node is not MapNode root || !(root.Has("openapi") || root.Has("swagger")))
            {
                if (_input.Options.Enabled == true)
                {
                    Report("SBX002", 0, 0, FileName(_input.Path));
                }

                return null;
            }

            _root = root;
            var version = root.String("openapi") ?? root.String("swagger") ?? string.Empty;
            _swagger2 = root.Has("swagger");
            if (_swagger2 ? !version.StartsWith("2", StringComparison.Ordinal) : !(version.StartsWith("3.0", StringComparison.Ordinal) || version.StartsWith("3.1", StringComparison.Ordinal)))
            {
                Report("SBX003", root.Line, root.Column, FileName(_input.Path), version);
                return null;
            }

            var info = root.Map("info");
            var title = info?.String("title") ?? FileName(_input.Path);
            _clientName = ChooseClientName(title);
            _namespace = ChooseNamespace();
            var visibility = ChooseVisibility();

            var (baseUrl, variables) = ReadServers();
            if (!string.IsNullOrWhiteSpace(_input.Options.BaseUrl))
            {
                baseUrl = _input.Options.BaseUrl!.Trim();
            }

            ReserveTypeNames();
            var schemes = ReadSecuritySchemes();
            ReadComponentSchemas();
            var operations = ReadOperations(schemes);
            var types = FreezeTypes();
            var jsonTypes = CollectJsonTypes(types, operations);

            return new ApiModel(
                _input.Path,
                _namespace,
                _clientName,
                visibility,
                title,
                info?.String("description"),
                info?.String("version") ?? string.Empty,
                baseUrl,
                variables.ToEquatableArray(),
                string.IsNullOrWhiteSpace(_input.Options.Provider) ? _clientName.ToLowerInvariant() : _input.Options.Provider!.Trim(),
                schemes.Values.ToEquatableArray(),
                types,
                operations,
                jsonTypes);
        }

        private string ChooseClientName(string title)
        {
            var given = _input.Options.ClientName;
            if (!string.IsNullOrWhiteSpace(given))
            {
                var pascal = Naming.Pascal(given);
                if (pascal == given!.Trim())
                {
                    return pascal;
                }

                Report("SBX008", 0, 0, "SandboxesClientName", given, FileName(_input.Path), "it must be a C# identifier");
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
            var given = _input.Options.Namespace;
            if (!string.IsNullOrWhiteSpace(given))
            {
                if (Naming.IsNamespace(given!.Trim()))
                {
                    return given.Trim();
                }

                Report("SBX008", 0, 0, "SandboxesNamespace", given, FileName(_input.Path), "it must be a dotted C# namespace");
            }

            var root = _input.Options.RootNamespace;
            return string.IsNullOrWhiteSpace(root) || !Naming.IsNamespace(root!) ? _clientName : root + "." + _clientName;
        }

        private string ChooseVisibility()
        {
            var given = _input.Options.Visibility;
            if (string.IsNullOrWhiteSpace(given) || given!.Trim() == "public")
            {
                return "public";
            }

            if (given.Trim() == "internal")
            {
                return "internal";
            }

            Report("SBX008", 0, 0, "SandboxesVisibility", given, FileName(_input.Path), "it must be 'public' or 'internal'");
            return "public";
        }

        private (string BaseUrl, List<ServerVariableModel> Variables) ReadServers()
        {
            var variables = new List<ServerVariableModel>();
            if (_swagger2)
            {
                var host = _root.String("host");
                var basePath = _root.String("basePath") ?? string.Empty;
                if (string.IsNullOrEmpty(host))
                {
                    return (basePath, variables);
                }

                var schemes = _root.Seq("schemes")?.Items.OfType<ScalarNode>().Select(s => s.Value).ToList() ?? new List<string?>();
                var scheme = schemes.Contains("https") ? "https" : schemes.FirstOrDefault() ?? "https";
                return (scheme + "://" + host + basePath, variables);
            }

            var server = _root.Seq("servers")?.Items.OfType<MapNode>().FirstOrDefault();
            if (server is null)
            {
                return (string.Empty, variables);
            }

            foreach (var variable in server.Map("variables")?.Entries ?? new List<KeyValuePair<string, SpecNode>>())
            {
                var value = (variable.Value as MapNode)?.String("default") ?? string.Empty;
                variables.Add(new ServerVariableModel(variable.Key, value));
            }

            return (server.String("url") ?? string.Empty, variables);
        }

        private Dictionary<string, SecuritySchemeModel> ReadSecuritySchemes()
        {
            var result = new Dictionary<string, SecuritySchemeModel>(StringComparer.Ordinal);
            var schemes = _swagger2 ? _root.Map("securityDefinitions") : _root.Map("components")?.Map("securitySchemes");
            var usedFields = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in schemes?.Entries ?? new List<KeyValuePair<string, SpecNode>>())
            {
                if (Deref(entry.Value) is not MapNode scheme)
                {
                    continue;
                }

                var type = scheme.String("type") ?? string.Empty;
                string kind;
                string location = "Header";
                string parameter = "Authorization";
                switch (type)
                {
                    case "apiKey":
                        kind = "ApiKey";
                        location = scheme.String("in") switch { "query" => "Query", "cookie" => "Cookie", _ => "Header" };
                        parameter = scheme.String("name") ?? "Authorization";
                        break;
                    case "basic":
                        kind = "Basic";
                        break;
                    case "http" when string.Equals(scheme.String("scheme"), "basic", StringComparison.OrdinalIgnoreCase):
                        kind = "Basic";
                        break;
                    case "http":
                    case "oauth2":
                    case "openIdConnect":
                        kind = "Bearer";
                        break;
                    default:
                        // mutualTLS and unknown types need no header from us.
                        continue;
                }

                var field = Naming.Unique("s_" + Naming.Camel(entry.Key, "scheme").TrimStart('@') + "Scheme", usedFields);
                result[entry.Key] = new SecuritySchemeModel(entry.Key, field, kind, location, parameter);
            }

            return result;
        }

        private void Report(string id, int line, int column, params string[] arguments)
        {
            _diagnostics.Add(new DiagnosticInfo(id, _input.Path, line, column, arguments.ToEquatableArray()));
        }

        private void Report(string id, SpecNode? at, params string[] arguments) => Report(id, at?.Line ?? 0, at?.Column ?? 0, arguments);
    }
}
