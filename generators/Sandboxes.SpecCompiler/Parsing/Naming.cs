using System.Collections.Generic;
using System.Text;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>Turns spec names into C# identifiers, deterministically.</summary>
    internal static class Naming
    {
        private static readonly HashSet<string> Keywords = new HashSet<string>
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
            "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
            "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
            "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
            "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
            "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
            "using", "virtual", "void", "volatile", "while",
        };

        /// <summary><c>sandbox_id</c>, <c>sandbox-id</c> and <c>sandboxId</c> all give <c>SandboxId</c>; inner capitals are kept.</summary>
        public static string Pascal(string? text, string fallback = "Value")
        {
            var builder = new StringBuilder();
            var upperNext = true;
            foreach (var c in text ?? string.Empty)
            {
                if (char.IsLetterOrDigit(c) && c < 128)
                {
                    builder.Append(upperNext ? char.ToUpperInvariant(c) : c);
                    upperNext = false;
                }
                else
                {
                    upperNext = true;
                }
            }

            if (builder.Length == 0)
            {
                return fallback;
            }

            if (char.IsDigit(builder[0]))
            {
                builder.Insert(0, '_');
            }

            return builder.ToString();
        }

        /// <summary>A camelCase identifier, prefixed with <c>@</c> when it is a keyword.</summary>
        public static string Camel(string? text, string fallback = "value")
        {
            var pascal = Pascal(text, Pascal(fallback));
            if (pascal[0] == '_')
            {
                return pascal;
            }

            // Lower the leading run of capitals except the last when a lower-case letter follows (URLPath -> urlPath).
            var chars = pascal.ToCharArray();
            for (var i = 0; i < chars.Length && char.IsUpper(chars[i]); i++)
            {
                if (i > 0 && i + 1 < chars.Length && char.IsLower(chars[i + 1]))
                {
                    break;
                }

                chars[i] = char.ToLowerInvariant(chars[i]);
            }

            var camel = new string(chars);
            return Keywords.Contains(camel) ? "@" + camel : camel;
        }

        /// <summary>Returns <paramref name="name"/>, or it with the first free numeric suffix, and records it as used.</summary>
        public static string Unique(string name, HashSet<string> used)
        {
            var candidate = name;
            for (var i = 2; !used.Add(candidate); i++)
            {
                candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return candidate;
        }

        /// <summary>A C# string literal for <paramref name="value"/>.</summary>
        public static string Literal(string? value)
        {
            if (value is null)
            {
                return "null";
            }

            var builder = new StringBuilder("\"");
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    case '\0': builder.Append("\\0"); break;
                    default:
                        if (c < 32 || c == '\u2028' || c == '\u2029')
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            return builder.Append('"').ToString();
        }

        /// <summary>True when <paramref name="ns"/> is a dotted C# namespace.</summary>
        public static bool IsNamespace(string ns)
        {
            foreach (var part in ns.Split('.'))
            {
                if (part.Length == 0 || !(char.IsLetter(part[0]) || part[0] == '_') || Keywords.Contains(part))
                {
                    return false;
                }

                foreach (var c in part)
                {
                    if (!(char.IsLetterOrDigit(c) || c == '_'))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}
