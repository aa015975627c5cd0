using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Sandboxes.Generators.Emitting
{
    internal static partial class Emitter
    {
        private static readonly System.Text.RegularExpressions.Regex CodeSpan = new System.Text.RegularExpressions.Regex("`([^`]+)`");

        private static void WriteSummary(SourceWriter writer, string? summary, string? remarks = null)
        {
            if (string.IsNullOrWhiteSpace(summary) && string.IsNullOrWhiteSpace(remarks))
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(summary))
            {
                summary = FirstSentence(remarks!);
                if (summary == remarks!.Trim())
                {
                    remarks = null;
                }
            }

            WriteTag(writer, "summary", summary!);
            if (!string.IsNullOrWhiteSpace(remarks) && remarks!.Trim() != summary!.Trim())
            {
                WriteTag(writer, "remarks", remarks!);
            }
        }

        /// <summary>Writes a doc tag from plain text: XML-escaped, with markdown <c>`code`</c> spans turned into <c>&lt;c&gt;</c>.</summary>
        private static void WriteTag(SourceWriter writer, string tag, string text, string? attribute = null) =>
            WriteLines(writer, tag, Lines(text).Select(l => CodeSpan.Replace(l, "<c>$1</c>")).ToList(), attribute);

        /// <summary>Writes a doc tag whose text is already XML (for <c>see</c> references).</summary>
        private static void WriteRawTag(SourceWriter writer, string tag, string xml) =>
            WriteLines(writer, tag, new List<string> { xml }, null);

        private static void WriteLines(SourceWriter writer, string tag, List<string> lines, string? attribute)
        {
            var open = "<" + tag + (attribute is null ? string.Empty : " " + attribute) + ">";
            if (lines.Count == 1)
            {
                writer.WriteLine("/// " + open + lines[0] + "</" + tag + ">");
                return;
            }

            writer.WriteLine("/// " + open);
            foreach (var line in lines)
            {
                writer.WriteLine(line.Length == 0 ? "///" : "/// " + line);
            }

            writer.WriteLine("/// </" + tag + ">");
        }

        private static List<string> Lines(string text)
        {
            var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Select(l => Escape(l.TrimEnd())).ToList();
            while (lines.Count > 0 && lines[lines.Count - 1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            while (lines.Count > 0 && lines[0].Length == 0)
            {
                lines.RemoveAt(0);
            }

            return lines.Count == 0 ? new List<string> { string.Empty } : lines;
        }

        private static string FirstSentence(string text)
        {
            var trimmed = text.Trim();
            var newline = trimmed.IndexOf('\n');
            var first = newline >= 0 ? trimmed.Substring(0, newline) : trimmed;
            var stop = first.IndexOf(". ", StringComparison.Ordinal);
            return stop > 0 ? first.Substring(0, stop + 1) : first;
        }

        /// <summary>XML-escapes text for a doc comment (and keeps control characters out).</summary>
        private static string Escape(string text)
        {
            var builder = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                switch (c)
                {
                    case '&': builder.Append("&amp;"); break;
                    case '<': builder.Append("&lt;"); break;
                    case '>': builder.Append("&gt;"); break;
                    default:
                        if (c >= ' ' || c == '\t')
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            return builder.ToString();
        }
    }
}
