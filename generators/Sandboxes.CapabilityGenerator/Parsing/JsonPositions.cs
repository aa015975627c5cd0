using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis.Text;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Where each property name of a JSON document sits, by path (<c>capabilities/pty/support</c>). JsonDocument keeps no
    /// positions, and a diagnostic that points at the offending key is worth one extra pass of the reader.
    /// </summary>
    internal sealed class JsonPositions
    {
        private readonly Dictionary<string, TextSpan> _byPath = new(System.StringComparer.Ordinal);
        private readonly string _path;
        private readonly SourceText _text;
        private readonly byte[] _utf8;

        private JsonPositions(string path, SourceText text, byte[] utf8)
        {
            _path = path;
            _text = text;
            _utf8 = utf8;
        }

        /// <summary>Scans the document; call only after it parsed, so the reader cannot throw.</summary>
        public static JsonPositions Scan(string path, SourceText text, byte[] utf8, JsonReaderOptions options)
        {
            var positions = new JsonPositions(path, text, utf8);
            var reader = new Utf8JsonReader(utf8, options);
            var containers = new List<string>();
            string? property = null;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString() ?? string.Empty;
                        var key = Join(containers, property);
                        if (!positions._byPath.ContainsKey(key))
                        {
                            positions._byPath[key] = positions.ToCharSpan((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);
                        }

                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        // Array elements are not addressed individually: a problem inside one points at the array.
                        containers.Add(property ?? (containers.Count == 0 ? string.Empty : "[]"));
                        property = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        containers.RemoveAt(containers.Count - 1);
                        property = null;
                        break;
                    default:
                        property = null;
                        break;
                }
            }

            return positions;
        }

        /// <summary>The location of the property at <paramref name="propertyPath"/>, or the start of the file.</summary>
        public LocationInfo At(string propertyPath) =>
            _byPath.TryGetValue(propertyPath, out var span)
                ? new LocationInfo(_path, span, _text.Lines.GetLinePositionSpan(span))
                : LocationInfo.StartOf(_path);

        private static string Join(List<string> containers, string property)
        {
            var builder = new StringBuilder();
            foreach (var segment in containers)
            {
                if (segment.Length > 0)
                {
                    builder.Append(segment).Append('/');
                }
            }

            return builder.Append(property).ToString();
        }

        private TextSpan ToCharSpan(int byteStart, int byteLength)
        {
            var start = Encoding.UTF8.GetCharCount(_utf8, 0, byteStart);
            var length = Encoding.UTF8.GetCharCount(_utf8, byteStart, System.Math.Min(byteLength, _utf8.Length - byteStart));
            start = System.Math.Min(start, _text.Length);
            return new TextSpan(start, System.Math.Min(length, _text.Length - start));
        }
    }
}
