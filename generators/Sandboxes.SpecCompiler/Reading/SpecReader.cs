using System;

namespace Sandboxes.Generators.Reading
{
    /// <summary>Reads a spec file's text into <see cref="SpecNode"/>s, choosing JSON or YAML by content.</summary>
    internal static partial class SpecReader
    {
        public static SpecNode Read(string text)
        {
            var start = 0;
            while (start < text.Length && (char.IsWhiteSpace(text[start]) || text[start] == '\uFEFF'))
            {
                start++;
            }

            return start < text.Length && (text[start] == '{' || text[start] == '[') ? ReadJson(text) : ReadYaml(text);
        }
    }

    /// <summary>The file is not valid JSON or YAML; carries the position of the fault.</summary>
    internal sealed class SpecReadException : Exception
    {
        public SpecReadException(string message, int line, int column)
            : base(message)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }

        public int Column { get; }
    }
}
