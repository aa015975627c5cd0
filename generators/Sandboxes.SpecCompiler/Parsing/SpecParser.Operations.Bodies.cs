using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.OpenApi;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>Request bodies: JSON, multipart, form, binary or text, chosen from the media types the operation accepts.</summary>
    internal sealed partial class SpecParser
    {
        private (BodyKind Kind, string? ContentType)? ReadRequestBody(string name, string method, string path, IOpenApiRequestBody requestBody,
            List<ParameterModel> parameters, HashSet<string> used, string pointer)
        {
            var content = requestBody.Content;
            if (content is null || content.Count == 0)
            {
                return (BodyKind.None, null);
            }

            var required = requestBody.Required;
            var doc = Trimmed(requestBody.Description);
            var media = content.Keys.ToList();
            IOpenApiSchema? SchemaOf(string mediaType) => content[mediaType]?.Schema;
            string At(string mediaType) => pointer + "/content/" + Escape(mediaType) + "/schema";

            var json = media.FirstOrDefault(IsJsonMediaType);
            if (json is not null && !IsBinary(Target(SchemaOf(json))))
            {
                var resolved = ResolveSchema(SchemaOf(json), name + "Request", At(json));
                parameters.Add(BodyParameter(Naming.Unique("body", used), "body", resolved, required, doc));
                return (BodyKind.Json, json);
            }

            var multipart = media.FirstOrDefault(m => m.StartsWith("multipart/", StringComparison.Ordinal));
            if (multipart is not null)
            {
                var properties = new List<KeyValuePair<string, IOpenApiSchema>>();
                var requiredFields = new HashSet<string>(StringComparer.Ordinal);
                if (SchemaOf(multipart) is { } schema)
                {
                    CollectProperties(schema, properties, requiredFields, 0, new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance));
                }

                if (properties.Count == 0)
                {
                    Report("SBX005", At(multipart), method, path, $"the {multipart} body has no declared fields");
                    return null;
                }

                foreach (var property in properties)
                {
                    parameters.Add(PartParameter(name, property.Key, property.Value, required && requiredFields.Contains(property.Key), Doc(Target(property.Value)),
                        At(multipart) + "/properties/" + Escape(property.Key), used));
                }

                return (BodyKind.Multipart, multipart);
            }

            if (media.Contains("application/x-www-form-urlencoded"))
            {
                // Refit writes a form from a dictionary (or an object's properties): the fields are the spec's, the values strings.
                const string form = "global::System.Collections.Generic.IDictionary<string, string>";
                parameters.Add(new ParameterModel(Naming.Unique("form", used), "form", ParameterKind.Body, required ? form : form + "?", required, doc, "Form", true, false, null));
                return (BodyKind.Form, "application/x-www-form-urlencoded");
            }

            var text = media.FirstOrDefault(m => m.StartsWith("text/", StringComparison.Ordinal) && !IsBinary(Target(SchemaOf(m))));
            var binary = media.FirstOrDefault(m => m == "application/octet-stream") ?? media.FirstOrDefault(m => !m.StartsWith("text/", StringComparison.Ordinal) || IsBinary(Target(SchemaOf(m))));
            if (binary is not null)
            {
                parameters.Add(new ParameterModel(Naming.Unique("body", used), "body", ParameterKind.Body, "global::System.IO.Stream" + (required ? string.Empty : "?"), required, doc, "Form", true, false, null));
                return (BodyKind.Stream, binary == "*/*" ? "application/octet-stream" : binary);
            }

            if (text is not null)
            {
                parameters.Add(new ParameterModel(Naming.Unique("body", used), "body", ParameterKind.Body, required ? "string" : "string?", required, doc, "Form", true, false, null));
                return (BodyKind.Text, text);
            }

            Report("SBX005", pointer, method, path, "its request body media types (" + string.Join(", ", media) + ") are not supported");
            return null;
        }

        private static bool IsJsonMediaType(string mediaType) =>
            mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || mediaType == "*/*" ||
            (mediaType.IndexOf("+json", StringComparison.OrdinalIgnoreCase) >= 0) || mediaType.StartsWith("text/json", StringComparison.OrdinalIgnoreCase);

        private static bool IsJsonLinesMediaType(string mediaType) =>
            mediaType.IndexOf("ndjson", StringComparison.OrdinalIgnoreCase) >= 0 || mediaType.IndexOf("jsonl", StringComparison.OrdinalIgnoreCase) >= 0 ||
            mediaType.IndexOf("json-seq", StringComparison.OrdinalIgnoreCase) >= 0 || mediaType.IndexOf("jsonlines", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
