using System;
using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>The success response of an operation: JSON, text, a stream, server-sent events or JSON lines.</summary>
    internal sealed partial class SpecParser
    {
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
    }
}
