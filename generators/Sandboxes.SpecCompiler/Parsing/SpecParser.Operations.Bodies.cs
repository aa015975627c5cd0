using System;
using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>Request bodies: JSON, multipart, form, binary or text, chosen from the media types the operation accepts.</summary>
    internal sealed partial class SpecParser
    {
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
    }
}
