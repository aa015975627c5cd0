using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis.Text;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Reads a capability table (<c>specs/&lt;id&gt;/provider.json</c>) into a <see cref="TableModel"/>. Every problem found
    /// becomes a located SBX111 error in <see cref="TableModel.Errors"/>; the parser never throws on bad input.
    /// Which capability ids exist is not checked here (that needs the compilation), only that they are well formed.
    /// </summary>
    internal static partial class TableParser
    {
        private static readonly JsonDocumentOptions DocumentOptions = new()
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };

        private static readonly JsonReaderOptions ReaderOptions = new()
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };

        private static readonly Regex ProviderIdPattern = new("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant);
        private static readonly Regex CapabilityIdPattern = new("^[a-z0-9]+([._-][a-z0-9]+)*$", RegexOptions.CultureInvariant);

        private static readonly HashSet<string> RootProperties = new(StringComparer.Ordinal)
        {
            "$schema", "id", "displayName", "description", "detectionOrder", "credentials", "settings", "defaultBaseUrl",
            "specs", "capabilities",
        };

        /// <summary>True for the files the generator treats as capability tables.</summary>
        public static bool IsTable(string path) =>
            string.Equals(Path.GetFileName(path), KnownNames.TableFileName, StringComparison.OrdinalIgnoreCase);

        public static TableModel Parse(string path, SourceText? text, CancellationToken cancellationToken = default)
        {
            if (text is null)
            {
                return Failed(path, null, LocationInfo.StartOf(path), "the file could not be read");
            }

            var content = text.ToString();
            var utf8 = Encoding.UTF8.GetBytes(content);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(utf8, DocumentOptions);
            }
            catch (JsonException ex)
            {
                return Failed(path, null, AtReaderError(path, text, ex), "it is not valid JSON (" + FirstSentence(ex.Message) + ")");
            }

            using (document)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var reader = new Reader(path, JsonPositions.Scan(path, text, utf8, ReaderOptions));
                return reader.Read(document.RootElement);
            }
        }

        private static TableModel Failed(string path, string? id, LocationInfo location, string message) =>
            new(path, id, ProviderInfo.Empty, EquatableArray<CapabilityRow>.Empty,
                new[] { DiagnosticInfo.Create(CapabilityDiagnostics.TableMalformed, location, DisplayPath(path), message) }.ToEquatableArray());

        /// <summary>How a table is named in messages: its folder and file name, never the machine's absolute path.</summary>
        public static string DisplayPath(string path)
        {
            var folder = Path.GetFileName(Path.GetDirectoryName(path) ?? string.Empty);
            return string.IsNullOrEmpty(folder) ? Path.GetFileName(path) : folder + "/" + Path.GetFileName(path);
        }

        private static LocationInfo AtReaderError(string path, SourceText text, JsonException ex)
        {
            var line = (int)Math.Min(Math.Max(0, ex.LineNumber ?? 0), Math.Max(0, text.Lines.Count - 1));
            var lineInfo = text.Lines[line];
            var column = (int)Math.Min(ex.BytePositionInLine ?? 0, lineInfo.End - lineInfo.Start);
            var start = lineInfo.Start + column;
            var span = new TextSpan(start, 0);
            return new LocationInfo(path, span, text.Lines.GetLinePositionSpan(span));
        }

        private static string FirstSentence(string message)
        {
            // System.Text.Json appends "Path: $ | LineNumber: ..." which the location already conveys.
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            return (cut > 0 ? message.Substring(0, cut) : message).TrimEnd('.', ' ');
        }
    }
}
