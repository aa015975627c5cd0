using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Parsing;

namespace Sandboxes.Generators.Emitting
{
    internal static partial class Emitter
    {
        private const string Http = "global::Sandboxes.Http.";
        private const string Task = "global::System.Threading.Tasks.Task";
        private const string CancellationParameter = "global::System.Threading.CancellationToken cancellationToken = default";

        private static string EmitClient(ApiModel api)
        {
            var writer = Start(api);
            writer.OpenBlock("namespace " + api.Namespace);
            WriteInterface(writer, api);
            writer.WriteLine();
            WriteClass(writer, api);
            writer.CloseBlock();
            return writer.ToString();
        }

        private static void WriteInterface(SourceWriter writer, ApiModel api)
        {
            WriteSummary(writer, "The operations of " + api.Title + " " + api.Version + ", one synchronous and one asynchronous method each.", api.Description);
            writer.WriteLine(GeneratedCodeAttribute);
            writer.OpenBlock(api.Visibility + " partial interface " + api.InterfaceName);
            var first = true;
            foreach (var operation in api.Operations)
            {
                foreach (var async in new[] { true, false })
                {
                    if (!first)
                    {
                        writer.WriteLine();
                    }

                    first = false;
                    WriteOperationDocs(writer, operation);
                    writer.WriteLine("[" + Http + Pascal(operation.Method) + "(" + Naming.Literal(operation.Path) + ")]");
                    if (operation.BodyKind == BodyKind.Multipart)
                    {
                        writer.WriteLine("[" + Http + "Multipart]");
                    }

                    writer.WriteLine(Signature(operation, async, withAttributes: true) + ";");
                }

                if (operation.HasResponseTwin)
                {
                    foreach (var async in new[] { true, false })
                    {
                        writer.WriteLine();
                        WriteSummary(writer, (operation.Summary ?? operation.Method + " " + operation.Path) + " With the response's status and headers ("
                            + string.Join(", ", operation.ResponseHeaders.Select(h => "`" + h + "`")) + ").");
                        foreach (var parameter in operation.Parameters)
                        {
                            WriteTag(writer, "param", parameter.Doc ?? DefaultParameterDoc(parameter), "name=\"" + parameter.Name.TrimStart('@') + "\"");
                        }

                        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
                        writer.WriteLine("[" + Http + Pascal(operation.Method) + "(" + Naming.Literal(operation.Path) + ")]");
                        writer.WriteLine(ResponseTwinSignature(operation, async, withAttributes: true) + ";");
                    }
                }
            }

            writer.CloseBlock();
        }

        private static void WriteClass(SourceWriter writer, ApiModel api)
        {
            var name = api.ClassName;
            WriteRawTag(writer, "summary", "The client of " + Escape(api.Title + " " + api.Version) + " over <see cref=\"global::System.Net.Http.HttpClient\"/>.");
            WriteRawTag(writer, "remarks", "Immutable and thread-safe once built. Failures raise the typed errors of <see cref=\"global::Sandboxes.Http.HttpErrorMapper\"/>.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.OpenBlock(api.Visibility + " partial class " + name + " : global::" + api.Namespace + "." + api.InterfaceName);
            writer.WriteLine("/// <summary>The server URL the spec names; <see cref=\"global::Sandboxes.Http.ApiClientOptions.BaseAddress\"/> overrides it.</summary>");
            writer.WriteLine("public const string DefaultBaseUrl = " + Naming.Literal(api.DefaultBaseUrl) + ";");
            writer.WriteLine();
            var variables = string.Join(", ", api.ServerVariables.Select(v => "[" + Naming.Literal(v.Name) + "] = " + Naming.Literal(v.Default)));
            writer.WriteLine("private static readonly global::System.Collections.Generic.IReadOnlyDictionary<string, string> s_serverVariableDefaults = new global::System.Collections.Generic.Dictionary<string, string>" +
                (variables.Length == 0 ? "();" : " { " + variables + " };"));
            foreach (var scheme in api.SecuritySchemes)
            {
                var create = scheme.Kind switch
                {
                    "ApiKey" => Http + "ApiSecurityScheme.ApiKey(" + Naming.Literal(scheme.Key) + ", " + Http + "ApiKeyLocation." + scheme.Location + ", " + Naming.Literal(scheme.ParameterName) + ")",
                    "Basic" => Http + "ApiSecurityScheme.Basic(" + Naming.Literal(scheme.Key) + ")",
                    _ => Http + "ApiSecurityScheme.Bearer(" + Naming.Literal(scheme.Key) + ")",
                };
                writer.WriteLine("private static readonly " + Http + "ApiSecurityScheme " + scheme.FieldName + " = " + create + ";");
            }

            writer.WriteLine("private readonly " + Http + "ApiClientCore _core;");
            writer.WriteLine("private readonly " + api.QualifiedContext + " _json;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Creates a client over the library's shared <see cref=\"global::System.Net.Http.HttpClient\"/>.</summary>");
            writer.WriteLine("/// <param name=\"options\">Base address, credentials and server variables; null for the spec's defaults.</param>");
            writer.WriteLine("public " + name + "(" + Http + "ApiClientOptions? options = null)");
            writer.WriteLine("    : this(" + Http + "ApiClientCore.SharedHttpClient, options)");
            writer.WriteLine("{");
            writer.WriteLine("}");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Creates a client over <paramref name=\"httpClient\"/>, which it does not dispose.</summary>");
            writer.WriteLine("/// <param name=\"httpClient\">The client requests go through.</param>");
            writer.WriteLine("/// <param name=\"options\">Base address, credentials and server variables; null for the spec's defaults.</param>");
            writer.OpenBlock("public " + name + "(global::System.Net.Http.HttpClient httpClient, " + Http + "ApiClientOptions? options = null)");
            writer.WriteLine("_core = new " + Http + "ApiClientCore(httpClient, options, DefaultBaseUrl, s_serverVariableDefaults, " + Naming.Literal(api.ProviderName) + ");");
            writer.WriteLine("_json = " + api.QualifiedContext + ".Default;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("/// <summary>For mocking frameworks: a client that sends nothing.</summary>");
            writer.OpenBlock("protected " + name + "()");
            writer.WriteLine("_core = null!;");
            writer.WriteLine("_json = null!;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("/// <summary>The core that sends this client's requests (for calls the spec does not describe).</summary>");
            writer.WriteLine("public " + Http + "ApiClientCore Core => _core;");

            var schemeFields = api.SecuritySchemes.ToDictionary(s => s.Key, s => s.FieldName);
            var memberNames = new HashSet<string>(api.Operations.SelectMany(o => new[] { o.Name, o.Name + "Async", o.Name + "WithResponse", o.Name + "WithResponseAsync" }));
            foreach (var operation in api.Operations)
            {
                var builder = "Build" + operation.Name + "Request";
                while (memberNames.Contains(builder))
                {
                    builder += "_";
                }

                memberNames.Add(builder);
                foreach (var async in new[] { true, false })
                {
                    writer.WriteLine();
                    writer.WriteLine("/// <inheritdoc />");
                    writer.WriteLine("public virtual " + Signature(operation, async, withAttributes: false) + " =>");
                    writer.Indent();
                    writer.WriteLine(Call(operation, async, builder) + ";");
                    writer.Unindent();
                }

                if (operation.HasResponseTwin)
                {
                    var request = builder + "(" + string.Join(", ", operation.Parameters.Select(p => p.Name)) + ")";
                    var typeInfo = "_json.TypeInfo<" + operation.ResponseType!.CSharp + ">()";
                    foreach (var async in new[] { true, false })
                    {
                        writer.WriteLine();
                        writer.WriteLine("/// <inheritdoc />");
                        writer.WriteLine("public virtual " + ResponseTwinSignature(operation, async, withAttributes: false) + " =>");
                        writer.Indent();
                        writer.WriteLine("_core.SendForResponse" + (async ? "Async" : string.Empty) + "(" + request + ", " + typeInfo + ", cancellationToken);");
                        writer.Unindent();
                    }
                }

                writer.WriteLine();
                WriteRequestBuilder(writer, operation, builder, schemeFields);
            }

            writer.CloseBlock();
        }

        private static void WriteOperationDocs(SourceWriter writer, OperationModel operation)
        {
            var remarks = operation.Description;
            if (operation.Deprecated)
            {
                remarks = (remarks is null ? string.Empty : remarks + "\n") + "Deprecated by the API.";
            }

            WriteSummary(writer, operation.Summary ?? (operation.Description is null ? operation.Method + " " + operation.Path : null), remarks);
            foreach (var parameter in operation.Parameters)
            {
                WriteTag(writer, "param", parameter.Doc ?? DefaultParameterDoc(parameter), "name=\"" + parameter.Name.TrimStart('@') + "\"");
            }

            writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        }

        private static string DefaultParameterDoc(ParameterModel parameter) => parameter.Location switch
        {
            ParameterLocation.Body => "The request body.",
            ParameterLocation.Path => "The `" + parameter.WireName + "` path value.",
            ParameterLocation.Header => "The `" + parameter.WireName + "` header.",
            ParameterLocation.Part => "The `" + parameter.WireName + "` part.",
            ParameterLocation.FormField => "The `" + parameter.WireName + "` field.",
            ParameterLocation.Cookie => "The `" + parameter.WireName + "` cookie.",
            _ => "The `" + parameter.WireName + "` query value.",
        };

        private static string Signature(OperationModel operation, bool async, bool withAttributes)
        {
            var parameters = operation.Parameters.Select(p => (withAttributes ? ParameterAttributes(p, operation) : string.Empty) + p.CSharpType + " " + p.Name + (p.Required ? string.Empty : " = default"))
                .Concat(new[] { CancellationParameter });
            return ReturnType(operation, async) + " " + operation.Name + (async ? "Async" : string.Empty) + "(" + string.Join(", ", parameters) + ")";
        }

        private static string ResponseTwinSignature(OperationModel operation, bool async, bool withAttributes)
        {
            var parameters = operation.Parameters.Select(p => (withAttributes ? ParameterAttributes(p, operation) : string.Empty) + p.CSharpType + " " + p.Name + (p.Required ? string.Empty : " = default"))
                .Concat(new[] { CancellationParameter });
            var result = Http + "ApiResponse<" + operation.ResponseType!.CSharp + ">";
            return (async ? Task + "<" + result + ">" : result) + " " + operation.Name + "WithResponse" + (async ? "Async" : string.Empty) + "(" + string.Join(", ", parameters) + ")";
        }

        private static string ParameterAttributes(ParameterModel parameter, OperationModel operation)
        {
            var attributes = new List<string>();
            var alias = parameter.Name.TrimStart('@') != parameter.WireName ? Http + "AliasAs(" + Naming.Literal(parameter.WireName) + ")" : null;
            switch (parameter.Location)
            {
                case ParameterLocation.Path:
                    if (alias is not null)
                    {
                        attributes.Add(alias);
                    }

                    if (parameter.CatchAll)
                    {
                        attributes.Add(Http + "Path(CatchAll = true)");
                    }

                    break;
                case ParameterLocation.Query:
                    attributes.Add(parameter.Style == "Form" && parameter.Explode ? Http + "Query" : Http + "Query(" + Http + "ParameterStyle." + parameter.Style + ", " + (parameter.Explode ? "true" : "false") + ")");
                    if (alias is not null)
                    {
                        attributes.Add(alias);
                    }

                    break;
                case ParameterLocation.Header:
                    attributes.Add(Http + "Header(" + Naming.Literal(parameter.WireName) + ")");
                    break;
                case ParameterLocation.Cookie:
                    attributes.Add(Http + "Cookie(" + Naming.Literal(parameter.WireName) + ")");
                    break;
                case ParameterLocation.Body:
                    attributes.Add(Http + "Body(" + Naming.Literal(operation.BodyContentType ?? "application/json") + ")");
                    break;
                case ParameterLocation.FormField:
                    attributes.Add(Http + "Form");
                    if (alias is not null)
                    {
                        attributes.Add(alias);
                    }

                    break;
                default:
                    if (alias is not null)
                    {
                        attributes.Add(alias);
                    }

                    break;
            }

            return attributes.Count == 0 ? string.Empty : "[" + string.Join(", ", attributes) + "] ";
        }

        private static string ReturnType(OperationModel operation, bool async)
        {
            var type = operation.ResponseType?.CSharp;
            switch (operation.ResponseKind)
            {
                case ResponseKind.Json:
                    return async ? Task + "<" + type + ">" : type!;
                case ResponseKind.Text:
                    return async ? Task + "<string>" : "string";
                case ResponseKind.Stream:
                    return async ? Task + "<global::System.IO.Stream>" : "global::System.IO.Stream";
                case ResponseKind.ServerSentEvents:
                    return (async ? "global::System.Collections.Generic.IAsyncEnumerable<" : "global::System.Collections.Generic.IEnumerable<") + Http + "ServerSentEvent>";
                case ResponseKind.EventData:
                case ResponseKind.JsonLines:
                    return (async ? "global::System.Collections.Generic.IAsyncEnumerable<" : "global::System.Collections.Generic.IEnumerable<") + type + ">";
                default:
                    return async ? Task : "void";
            }
        }

        private static string Call(OperationModel operation, bool async, string builder)
        {
            var request = builder + "(" + string.Join(", ", operation.Parameters.Select(p => p.Name)) + ")";
            var typeInfo = operation.ResponseType is null ? string.Empty : "_json.TypeInfo<" + operation.ResponseType.CSharp + ">(), ";
            var suffix = async ? "Async" : string.Empty;
            return operation.ResponseKind switch
            {
                ResponseKind.Json => "_core.Send" + suffix + "(" + request + ", " + typeInfo + "cancellationToken)",
                ResponseKind.Text => "_core.SendForText" + suffix + "(" + request + ", cancellationToken)",
                ResponseKind.Stream => "_core.SendForStream" + suffix + "(" + request + ", cancellationToken)",
                ResponseKind.ServerSentEvents => "_core.StreamServerSentEvents" + suffix + "(" + request + ", cancellationToken)",
                ResponseKind.EventData => "_core.StreamEvents" + suffix + "(" + request + ", " + typeInfo + "cancellationToken)",
                ResponseKind.JsonLines => "_core.StreamJsonLines" + suffix + "(" + request + ", " + typeInfo + "cancellationToken)",
                _ => "_core.Send" + suffix + "(" + request + ", cancellationToken)",
            };
        }

        private static void WriteRequestBuilder(SourceWriter writer, OperationModel operation, string builder, Dictionary<string, string> schemeFields)
        {
            var parameters = string.Join(", ", operation.Parameters.Select(p => p.CSharpType + " " + p.Name));
            writer.OpenBlock("private " + Http + "ApiRequest " + builder + "(" + parameters + ")");
            writer.WriteLine("var request = new " + Http + "ApiRequest(" + Naming.Literal(operation.Method) + ", " + Naming.Literal(operation.Path) + ");");
            foreach (var parameter in operation.Parameters)
            {
                var wire = Naming.Literal(parameter.WireName);
                switch (parameter.Location)
                {
                    case ParameterLocation.Path:
                        writer.WriteLine("request.Path(" + wire + ", " + parameter.Name + (parameter.CatchAll ? ", catchAll: true" : string.Empty) + ");");
                        break;
                    case ParameterLocation.Query:
                        writer.WriteLine("request.QueryParameter(" + wire + ", " + parameter.Name +
                            (parameter.Style == "Form" && parameter.Explode ? string.Empty : ", " + Http + "ParameterStyle." + parameter.Style + ", " + (parameter.Explode ? "true" : "false")) + ");");
                        break;
                    case ParameterLocation.Header:
                        writer.WriteLine("request.Header(" + wire + ", " + parameter.Name + ");");
                        break;
                    case ParameterLocation.Cookie:
                        writer.WriteLine("request.Cookie(" + wire + ", " + parameter.Name + ");");
                        break;
                    case ParameterLocation.FormField:
                        writer.WriteLine("request.FormField(" + wire + ", " + parameter.Name + ");");
                        break;
                    case ParameterLocation.Part when parameter.JsonType is not null:
                        WriteJsonValue(writer, parameter, "request.JsonPart<" + parameter.JsonType.CSharp + ">(" + wire + ", {0}, _json.TypeInfo<" + parameter.JsonType.CSharp + ">());");
                        break;
                    case ParameterLocation.Part:
                        writer.WriteLine("request.Part(" + wire + ", " + parameter.Name + ");");
                        break;
                    case ParameterLocation.Body:
                        switch (operation.BodyKind)
                        {
                            case BodyKind.Json:
                                WriteJsonValue(writer, parameter, "request.JsonBody<" + parameter.JsonType!.CSharp + ">({0}, _json.TypeInfo<" + parameter.JsonType.CSharp + ">(), " + Naming.Literal(operation.BodyContentType ?? "application/json") + ");");
                                break;
                            case BodyKind.Text:
                                writer.WriteLine("request.TextBody(" + parameter.Name + ", " + Naming.Literal(operation.BodyContentType ?? "text/plain") + ");");
                                break;
                            default:
                                writer.WriteLine("request.StreamBody(" + parameter.Name + ", " + Naming.Literal(operation.BodyContentType ?? "application/octet-stream") + ");");
                                break;
                        }

                        break;
                }
            }

            if (operation.ResponseContentType is { } accept && operation.ResponseKind != ResponseKind.None && accept != "*/*")
            {
                writer.WriteLine("request.Accept = " + Naming.Literal(accept) + ";");
            }

            if (operation.Security.Count > 0)
            {
                var alternatives = operation.Security.Select(a => a.Count == 0
                    ? "global::System.Array.Empty<" + Http + "ApiSecurityScheme>()"
                    : "new " + Http + "ApiSecurityScheme[] { " + string.Join(", ", a.Select(k => schemeFields[k])) + " }");
                writer.WriteLine("request.Secure(" + string.Join(", ", alternatives) + ");");
            }

            writer.WriteLine("return request;");
            writer.CloseBlock();
        }

        /// <summary>Writes a JSON body or part: nothing is sent for a null optional value.</summary>
        private static void WriteJsonValue(SourceWriter writer, ParameterModel parameter, string format)
        {
            if (parameter.Required)
            {
                writer.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, parameter.Name));
                return;
            }

            writer.OpenBlock("if (" + parameter.Name + " is not null)");
            writer.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, parameter.Name + (parameter.JsonType!.IsValueType ? ".Value" : string.Empty)));
            writer.CloseBlock();
        }

        private static string Pascal(string method) => method.Substring(0, 1) + method.Substring(1).ToLowerInvariant();
    }
}
