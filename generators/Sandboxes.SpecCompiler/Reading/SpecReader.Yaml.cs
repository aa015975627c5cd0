using System.Globalization;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sandboxes.Generators.Reading
{
    internal static partial class SpecReader
    {
        private static SpecNode ReadYaml(string text)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw new SpecReadException(e.Message, (int)e.Start.Line - 1, (int)e.Start.Column - 1);
            }

            if (stream.Documents.Count == 0)
            {
                throw new SpecReadException("The file is empty.", 0, 0);
            }

            return Convert(stream.Documents[0].RootNode, 0);
        }

        private static SpecNode Convert(YamlNode node, int depth)
        {
            if (depth > 512)
            {
                throw new SpecReadException("The document nests too deeply (a cycle of YAML aliases?).", (int)node.Start.Line - 1, 0);
            }

            var line = (int)node.Start.Line - 1;
            var column = (int)node.Start.Column - 1;
            switch (node)
            {
                case YamlMappingNode mapping:
                    var map = new MapNode(line, column);
                    foreach (var entry in mapping.Children)
                    {
                        var key = (entry.Key as YamlScalarNode)?.Value ?? string.Empty;
                        if (key == "<<" && entry.Key is YamlScalarNode { Style: ScalarStyle.Plain } && Convert(entry.Value, depth + 1) is MapNode merged)
                        {
                            foreach (var pair in merged.Entries)
                            {
                                if (!map.Has(pair.Key))
                                {
                                    map.Add(pair.Key, pair.Value);
                                }
                            }

                            continue;
                        }

                        map.Add(key, Convert(entry.Value, depth + 1));
                    }

                    return map;
                case YamlSequenceNode sequence:
                    var seq = new SeqNode(line, column);
                    foreach (var item in sequence.Children)
                    {
                        seq.Items.Add(Convert(item, depth + 1));
                    }

                    return seq;
                case YamlScalarNode scalar:
                    return Scalar(scalar, line, column);
                default:
                    return new ScalarNode(null, ScalarKind.Null, line, column);
            }
        }

        private static ScalarNode Scalar(YamlScalarNode scalar, int line, int column)
        {
            var value = scalar.Value ?? string.Empty;
            if (scalar.Style != ScalarStyle.Plain)
            {
                return new ScalarNode(value, ScalarKind.String, line, column);
            }

            switch (value)
            {
                case "":
                case "~":
                case "null":
                case "Null":
                case "NULL":
                    return new ScalarNode(null, ScalarKind.Null, line, column);
                case "true":
                case "True":
                case "TRUE":
                    return new ScalarNode("true", ScalarKind.Bool, line, column);
                case "false":
                case "False":
                case "FALSE":
                    return new ScalarNode("false", ScalarKind.Bool, line, column);
            }

            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && (char.IsDigit(value[0]) || value[0] == '-' || value[0] == '+' || value[0] == '.'))
            {
                return new ScalarNode(value, ScalarKind.Number, line, column);
            }

            return new ScalarNode(value, ScalarKind.String, line, column);
        }
    }
}
