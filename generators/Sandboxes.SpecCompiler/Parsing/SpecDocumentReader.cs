using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>
    /// Reads a spec file with Microsoft.OpenApi (JSON or YAML, by content): Swagger 2.0, OpenAPI 3.0 and 3.1 all arrive in
    /// one object model. What the reader complains about is kept as messages with their JSON pointers; a document it
    /// cannot read at all is an error.
    /// </summary>
    internal static class SpecDocumentReader
    {
        public static (OpenApiDocument? Document, EquatableArray<DiagnosticInfo> Diagnostics) Read(string path, string? given = null)
        {
            var diagnostics = new List<DiagnosticInfo>();
            string text;
            try
            {
                text = given ?? File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                diagnostics.Add(Info("SBX001", path, string.Empty, SpecParser.FileName(path), e.Message));
                return (null, diagnostics.ToEquatableArray());
            }

            var start = 0;
            while (start < text.Length && (char.IsWhiteSpace(text[start]) || text[start] == '\uFEFF'))
            {
                start++;
            }

            var format = start < text.Length && (text[start] == '{' || text[start] == '[') ? "json" : "yaml";
            if (!LooksLikeSpec(text))
            {
                diagnostics.Add(Info("SBX002", path, string.Empty, SpecParser.FileName(path)));
                return (null, diagnostics.ToEquatableArray());
            }

            var settings = new OpenApiReaderSettings { LoadExternalRefs = false };
            settings.AddYamlReader();
            ReadResult result;
            try
            {
                result = OpenApiDocument.Parse(text, format, settings);
            }
            catch (Exception e) when (e is OpenApiException or OpenApiUnsupportedSpecVersionException or FormatException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
            {
                var kind = e is OpenApiUnsupportedSpecVersionException ? "SBX003" : "SBX001";
                diagnostics.Add(kind == "SBX003"
                    ? Info(kind, path, string.Empty, SpecParser.FileName(path), e.Message)
                    : Info(kind, path, (e as OpenApiException)?.Pointer ?? string.Empty, SpecParser.FileName(path), e.Message));
                return (null, diagnostics.ToEquatableArray());
            }

            var errors = (result.Diagnostic?.Errors ?? Enumerable.Empty<OpenApiError>()).ToList();
            if (result.Document is null)
            {
                // Nothing was read: one error, with the reader's reason (a syntax error and its line).
                var first = errors.FirstOrDefault();
                diagnostics.Add(Info("SBX001", path, first?.Pointer ?? string.Empty, SpecParser.FileName(path), first?.Message ?? "the OpenAPI reader produced no document"));
                return (null, diagnostics.ToEquatableArray());
            }

            foreach (var error in errors)
            {
                diagnostics.Add(Info("SBX013", path, error.Pointer ?? string.Empty, error.Message));
            }

            return (result.Document, diagnostics.ToEquatableArray());
        }

        /// <summary>True when the text has an <c>openapi</c> or <c>swagger</c> key somewhere (some vendors put it last).</summary>
        private static bool LooksLikeSpec(string text) =>
            text.IndexOf("\"openapi\"", StringComparison.Ordinal) >= 0 || text.IndexOf("\"swagger\"", StringComparison.Ordinal) >= 0 ||
            text.IndexOf("openapi:", StringComparison.Ordinal) >= 0 || text.IndexOf("swagger:", StringComparison.Ordinal) >= 0;

        private static DiagnosticInfo Info(string id, string path, string pointer, params string[] arguments) =>
            new(id, path, pointer, arguments.ToEquatableArray());
    }
}
