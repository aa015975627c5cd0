using System;
using System.Linq;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>The success response of an operation: JSON, text, a stream, server-sent events or JSON lines.</summary>
    internal sealed partial class SpecParser
    {
        private (ResponseKind Kind, TypeRef? Type, string? ContentType, EquatableArray<string> Headers) ReadResponse(string name, OpenApiOperation operation, string pointer)
        {
            foreach (var entry in operation.Responses?.Where(e => e.Key.StartsWith("2", StringComparison.Ordinal)) ?? Enumerable.Empty<System.Collections.Generic.KeyValuePair<string, IOpenApiResponse>>())
            {
                var read = ReadContent(name, entry.Value, pointer + "/" + Escape(entry.Key));
                if (read.Kind != ResponseKind.None)
                {
                    var headers = entry.Value.Headers?.Keys.ToEquatableArray() ?? EquatableArray<string>.Empty;
                    return (read.Kind, read.Type, read.ContentType, headers);
                }
            }

            return (ResponseKind.None, null, null, EquatableArray<string>.Empty);
        }

        private (ResponseKind Kind, TypeRef? Type, string? ContentType) ReadContent(string name, IOpenApiResponse response, string pointer)
        {
            var content = response.Content;
            if (content is null || content.Count == 0)
            {
                return (ResponseKind.None, null, null);
            }

            var media = content.Keys.ToList();
            IOpenApiSchema? SchemaOf(string mediaType) => content[mediaType]?.Schema;
            string At(string mediaType) => pointer + "/content/" + Escape(mediaType) + "/schema";

            var sse = media.FirstOrDefault(m => m.StartsWith("text/event-stream", StringComparison.Ordinal));
            if (sse is not null)
            {
                var schema = SchemaOf(sse);
                var resolved = schema is null ? (Resolved?)null : ResolveSchema(schema, name + "Event", At(sse));
                return resolved is null || resolved.Value.Type == TypeRef.String || resolved.Value.Type == TypeRef.Json
                    ? (ResponseKind.ServerSentEvents, null, sse)
                    : (ResponseKind.EventData, Element(resolved.Value.Type), sse);
            }

            var lines = media.FirstOrDefault(IsJsonLinesMediaType);
            if (lines is not null)
            {
                var resolved = ResolveSchema(SchemaOf(lines), name + "Line", At(lines));
                return (ResponseKind.JsonLines, Element(resolved.Type), lines);
            }

            if (media.All(m => SchemaOf(m) is null))
            {
                // Swagger 2 "produces" media types for every response: without a schema only a binary one (a tar archive,
                // Docker's raw stream) is worth reading, as a Stream.
                var raw = media.FirstOrDefault(m => !IsJsonMediaType(m) && !m.StartsWith("text/", StringComparison.Ordinal));
                return raw is null ? (ResponseKind.None, null, null) : (ResponseKind.Stream, null, raw);
            }

            var json = media.FirstOrDefault(m => IsJsonMediaType(m) && SchemaOf(m) is not null);
            if (json is not null && !IsBinary(Target(SchemaOf(json))))
            {
                var resolved = ResolveSchema(SchemaOf(json), name + "Response", At(json));
                return (ResponseKind.Json, resolved.Type.Kind == TypeKind.NullableValue ? resolved.Type.Element : resolved.Type, json);
            }

            var text = media.FirstOrDefault(m => m.StartsWith("text/", StringComparison.Ordinal) && !IsBinary(Target(SchemaOf(m))));
            if (text is not null)
            {
                return (ResponseKind.Text, null, text);
            }

            // Binary: a schema of format binary, or (Swagger 2) no schema and only binary media types, e.g. a tar archive.
            var binary = media.FirstOrDefault(m => !IsJsonMediaType(m) && !m.StartsWith("text/", StringComparison.Ordinal)) ?? media.FirstOrDefault(m => IsBinary(Target(SchemaOf(m))));
            return binary is null ? (ResponseKind.None, null, null) : (ResponseKind.Stream, null, binary);
        }

        private static TypeRef Element(TypeRef type) => type.Kind == TypeKind.List ? type.Element! : type.Kind == TypeKind.NullableValue ? type.Element! : type;
    }
}
