using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Sandboxes.Generators.Reading
{
    internal static partial class SpecReader
    {
        private static SpecNode ReadJson(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var lineStarts = new List<int> { 0 };
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    lineStarts.Add(i + 1);
                }
            }

            var offset = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(bytes, offset, bytes.Length - offset),
                new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 512 });
            try
            {
                if (!reader.Read())
                {
                    throw new SpecReadException("The file is empty.", 0, 0);
                }

                return ReadJsonValue(ref reader, lineStarts, offset);
            }
            catch (JsonException e)
            {
                throw new SpecReadException(e.Message, (int)(e.LineNumber ?? 0), (int)(e.BytePositionInLine ?? 0));
            }
        }

        private static SpecNode ReadJsonValue(ref Utf8JsonReader reader, List<int> lineStarts, int offset)
        {
            var (line, column) = Position(lineStarts, (int)reader.TokenStartIndex + offset);
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var map = new MapNode(line, column);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var key = reader.GetString() ?? string.Empty;
                        reader.Read();
                        map.Add(key, ReadJsonValue(ref reader, lineStarts, offset));
                    }

                    return map;
                case JsonTokenType.StartArray:
                    var seq = new SeqNode(line, column);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        seq.Items.Add(ReadJsonValue(ref reader, lineStarts, offset));
                    }

                    return seq;
                case JsonTokenType.String:
                    return new ScalarNode(reader.GetString(), ScalarKind.String, line, column);
                case JsonTokenType.Number:
                    return new ScalarNode(Encoding.UTF8.GetString(reader.ValueSpan.ToArray()), ScalarKind.Number, line, column);
                case JsonTokenType.True:
                    return new ScalarNode("true", ScalarKind.Bool, line, column);
                case JsonTokenType.False:
                    return new ScalarNode("false", ScalarKind.Bool, line, column);
                default:
                    return new ScalarNode(null, ScalarKind.Null, line, column);
            }
        }

        private static (int Line, int Column) Position(List<int> lineStarts, int byteOffset)
        {
            var index = lineStarts.BinarySearch(byteOffset);
            var line = index >= 0 ? index : ~index - 1;
            return (line, byteOffset - lineStarts[line]);
        }
    }
}
