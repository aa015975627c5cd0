using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Parsing;

namespace Sandboxes.Generators.Emitting
{
    /// <summary>
    /// The Refit interface: one method per operation with Refit's route, query, header, body and multipart attributes.
    /// Refit's own generator writes its implementation, so <c>RestService.For</c>, <c>RestService.ForGenerated</c> and
    /// <c>AddRefitClient</c> all work on it.
    /// </summary>
    internal static partial class Emitter
    {
        private const string Refit = "global::Refit.";
        private const string Task = "global::System.Threading.Tasks.Task";
        private const string CancellationParameter = "global::System.Threading.CancellationToken cancellationToken = default";

        private static void WriteInterface(SourceWriter writer, ApiModel api)
        {
            WriteSummary(writer, "The operations of " + api.Title + " " + api.Version + " as a Refit interface.", api.Description);
            writer.WriteLine(GeneratedCodeAttribute);
            writer.OpenBlock(api.Visibility + " partial interface " + api.InterfaceName);
            writer.WriteLine("/// <summary>The server URL the spec names (its variables at their defaults); give the <c>HttpClient</c> a <c>BaseAddress</c> to use another.</summary>");
            writer.WriteLine("public const string DefaultBaseUrl = " + Naming.Literal(api.DefaultBaseUrl) + ";");
            foreach (var operation in api.Operations)
            {
                writer.WriteLine();
                WriteOperationDocs(writer, operation);
                if (operation.IsStreamed)
                {
                    writer.WriteLine("/// <remarks>The response is returned as soon as its headers arrive; read its items with <see cref=\"" + api.StreamsName + "." +
                        operation.Name + "StreamAsync\"/>, or dispose it.</remarks>");
                }

                WriteAttributes(writer, operation);
                writer.WriteLine(ReturnType(operation) + " " + operation.Name + "Async(" + Parameters(operation, withAttributes: true) + ");");

                if (operation.HasResponseTwin)
                {
                    writer.WriteLine();
                    WriteSummary(writer, (operation.Summary ?? operation.Method + " " + operation.Path) + " With the response's status and headers ("
                        + string.Join(", ", operation.ResponseHeaders.Select(h => "`" + h + "`")) + ").");
                    WriteParameterDocs(writer, operation);
                    WriteAttributes(writer, operation);
                    writer.WriteLine(Task + "<" + Refit + "IApiResponse<" + operation.ResponseType!.CSharp + ">> " + operation.Name + "WithResponseAsync(" +
                        Parameters(operation, withAttributes: true) + ");");
                }
            }

            writer.CloseBlock();
        }

        /// <summary>Server-sent events and JSON lines, read item by item from the response the interface returns.</summary>
        private static void WriteStreams(SourceWriter writer, ApiModel api)
        {
            WriteRawTag(writer, "summary", "The streamed operations of <see cref=\"" + api.InterfaceName + "\"/>, read item by item as they arrive.");
            writer.WriteLine(GeneratedCodeAttribute);
            writer.OpenBlock(api.Visibility + " static class " + api.StreamsName);
            var first = true;
            foreach (var operation in api.Operations.Where(o => o.IsStreamed))
            {
                if (!first)
                {
                    writer.WriteLine();
                }

                first = false;
                WriteSummary(writer, operation.Summary ?? operation.Method + " " + operation.Path, "Yields each item as it arrives; a malformed item or a stream that breaks off is a ProviderException.");
                writer.WriteLine("/// <param name=\"api\">The client.</param>");
                WriteParameterDocs(writer, operation);
                var item = operation.ResponseKind == ResponseKind.ServerSentEvents ? "global::System.Net.ServerSentEvents.SseItem<string>" : operation.ResponseType!.CSharp;
                writer.WriteLine("public static global::System.Collections.Generic.IAsyncEnumerable<" + item + "> " + operation.Name + "StreamAsync(this " + api.InterfaceName + " api, " +
                    Parameters(operation, withAttributes: false) + ")");
                writer.Indent();
                var call = "api." + operation.Name + "Async(" + string.Join(", ", operation.Parameters.Select(p => p.Name).Concat(new[] { "cancellationToken" })) + ")";
                var typeInfo = "(" + JsonTypeInfo + "<" + item + ">)" + api.QualifiedContext + ".Default.GetTypeInfo(typeof(" + item + "))!";
                writer.WriteLine(operation.ResponseKind switch
                {
                    ResponseKind.ServerSentEvents => "=> global::Sandboxes.Http.StreamedResponses.ReadServerSentEventsAsync(" + call + ", cancellationToken);",
                    ResponseKind.EventData => "=> global::Sandboxes.Http.StreamedResponses.ReadEventDataAsync(" + call + ", " + typeInfo + ", cancellationToken);",
                    _ => "=> global::Sandboxes.Http.StreamedResponses.ReadJsonLinesAsync(" + call + ", " + typeInfo + ", cancellationToken);",
                });
                writer.Unindent();
            }

            writer.CloseBlock();
        }

        private static void WriteAttributes(SourceWriter writer, OperationModel operation)
        {
            writer.WriteLine("[" + Refit + Pascal(operation.Method) + "(" + Naming.Literal(RouteTemplate(operation)) + ")]");
            if (operation.BodyKind == BodyKind.Multipart)
            {
                writer.WriteLine("[" + Refit + "Multipart]");
            }

            var headers = new List<string>();
            if (operation.ResponseContentType is { } accept && operation.ResponseKind != ResponseKind.None && accept != "*/*")
            {
                headers.Add("Accept: " + accept);
            }

            if (operation.BodyKind is BodyKind.Stream or BodyKind.Text && operation.BodyContentType is { } contentType)
            {
                headers.Add("Content-Type: " + contentType);
            }

            if (headers.Count > 0)
            {
                writer.WriteLine("[" + Refit + "Headers(" + string.Join(", ", headers.Select(Naming.Literal)) + ")]");
            }
        }

        /// <summary>The path with each catch-all placeholder written as Refit's round-tripping <c>{**name}</c>, which keeps slashes.</summary>
        private static string RouteTemplate(OperationModel operation)
        {
            var path = operation.Path;
            foreach (var parameter in operation.Parameters.Where(p => p.Location == ParameterKind.Path))
            {
                var name = RouteName(parameter);
                foreach (var form in new[] { "{**" + parameter.WireName + "}", "{*" + parameter.WireName + "}", "{" + parameter.WireName + "}" })
                {
                    path = path.Replace(form, parameter.CatchAll ? "{**" + name + "}" : "{" + name + "}");
                }
            }

            return path;
        }

        /// <summary>The name a route placeholder uses: the parameter's own, or its alias when the wire name is no C# name.</summary>
        private static string RouteName(ParameterModel parameter) => parameter.Name.TrimStart('@');

        private static void WriteOperationDocs(SourceWriter writer, OperationModel operation)
        {
            var remarks = operation.Description;
            if (operation.Deprecated)
            {
                remarks = (remarks is null ? string.Empty : remarks + "\n") + "Deprecated by the API.";
            }

            WriteSummary(writer, operation.Summary ?? (operation.Description is null ? operation.Method + " " + operation.Path : null), operation.IsStreamed ? null : remarks);
            WriteParameterDocs(writer, operation);
        }

        private static void WriteParameterDocs(SourceWriter writer, OperationModel operation)
        {
            foreach (var parameter in operation.Parameters)
            {
                WriteTag(writer, "param", parameter.Doc ?? DefaultParameterDoc(parameter), "name=\"" + parameter.Name.TrimStart('@') + "\"");
            }

            writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        }

        private static string DefaultParameterDoc(ParameterModel parameter) => parameter.Location switch
        {
            ParameterKind.Body => "The request body.",
            ParameterKind.Path => "The `" + parameter.WireName + "` path value.",
            ParameterKind.Header => "The `" + parameter.WireName + "` header.",
            ParameterKind.Part => "The `" + parameter.WireName + "` part.",
            _ => "The `" + parameter.WireName + "` query value.",
        };

        private static string Parameters(OperationModel operation, bool withAttributes) =>
            string.Join(", ", operation.Parameters
                .Select(p => (withAttributes ? ParameterAttributes(p, operation) : string.Empty) + p.CSharpType + " " + p.Name + (p.Required ? string.Empty : " = default"))
                .Concat(new[] { CancellationParameter }));

        private static string ParameterAttributes(ParameterModel parameter, OperationModel operation)
        {
            var attributes = new List<string>();
            var alias = parameter.Name.TrimStart('@') != parameter.WireName ? Refit + "AliasAs(" + Naming.Literal(parameter.WireName) + ")" : null;
            switch (parameter.Location)
            {
                case ParameterKind.Path:
                    // The route template names the parameter itself, so a path value needs no alias.
                    break;
                case ParameterKind.Query:
                    attributes.Add(QueryAttribute(parameter));
                    if (alias is not null && parameter.Style is not ("KeyPrefix" or "DeepObject"))
                    {
                        attributes.Add(alias);
                    }

                    break;
                case ParameterKind.Header:
                    attributes.Add(Refit + "Header(" + Naming.Literal(parameter.WireName) + ")");
                    break;
                case ParameterKind.Body:
                    attributes.Add(operation.BodyKind == BodyKind.Form ? Refit + "Body(" + Refit + "BodySerializationMethod.UrlEncoded)" : Refit + "Body");
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

        /// <summary>Refit's query attribute for a parameter's style: exploded arrays repeat the name, others join with their delimiter.</summary>
        private static string QueryAttribute(ParameterModel parameter) => parameter.Style switch
        {
            // metadata.{key}: one pair per entry, named metadata.KEY.
            "KeyPrefix" => Refit + "Query(\".\", " + Naming.Literal(parameter.WireName) + ")",
            // An exploded form object: one pair per entry, named by its key.
            "Form" when parameter.CSharpType.Contains("IDictionary") => Refit + "Query",
            "SpaceDelimited" => Refit + "Query(" + Refit + "CollectionFormat.Ssv)",
            "PipeDelimited" => Refit + "Query(" + Refit + "CollectionFormat.Pipes)",
            "DeepObject" => Refit + "Query(\"\", " + Naming.Literal(parameter.WireName) + "), " + Refit + "QueryConverter(typeof(global::Sandboxes.Http.DeepObjectQueryConverter))",
            _ when !parameter.CSharpType.Contains("IEnumerable") => Refit + "Query",
            _ => parameter.Explode ? Refit + "Query(" + Refit + "CollectionFormat.Multi)" : Refit + "Query(" + Refit + "CollectionFormat.Csv)",
        };

        private static string ReturnType(OperationModel operation)
        {
            switch (operation.ResponseKind)
            {
                case ResponseKind.Json:
                    return Task + "<" + operation.ResponseType!.CSharp + ">";
                case ResponseKind.Text:
                    return Task + "<string>";
                case ResponseKind.Stream:
                    return Task + "<global::System.IO.Stream>";
                case ResponseKind.ServerSentEvents:
                case ResponseKind.EventData:
                case ResponseKind.JsonLines:
                    return Task + "<global::System.Net.Http.HttpResponseMessage>";
                default:
                    return Task;
            }
        }

        private static string Pascal(string method) => method.Substring(0, 1) + method.Substring(1).ToLowerInvariant();
    }
}
