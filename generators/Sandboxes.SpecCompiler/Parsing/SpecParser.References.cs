using System;
using System.Collections.Generic;
using Sandboxes.Generators.Reading;

namespace Sandboxes.Generators.Parsing
{
    internal sealed partial class SpecParser
    {
        private readonly HashSet<string> _reportedReferences = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Follows <c>$ref</c>s (also chains of them) to the node they name; null when one does not resolve.</summary>
        private SpecNode? Deref(SpecNode? node)
        {
            for (var hops = 0; hops < 32 && node is MapNode map && map.String("$ref") is { } reference; hops++)
            {
                node = Resolve(reference, map);
                if (node is null)
                {
                    return null;
                }
            }

            return node;
        }

        /// <summary>Resolves a local JSON pointer (<c>#/components/schemas/X</c>); reports references it cannot follow.</summary>
        private SpecNode? Resolve(string reference, SpecNode at)
        {
            if (!reference.StartsWith("#", StringComparison.Ordinal))
            {
                if (_reportedReferences.Add(reference))
                {
                    Report("SBX012", at, reference);
                }

                return null;
            }

            SpecNode? current = _root;
            var pointer = reference.Substring(1);
            if (pointer.Length > 0)
            {
                foreach (var raw in pointer.TrimStart('/').Split('/'))
                {
                    var segment = Uri.UnescapeDataString(raw).Replace("~1", "/").Replace("~0", "~");
                    current = current switch
                    {
                        MapNode map => map[segment],
                        SeqNode seq when int.TryParse(segment, out var index) && index >= 0 && index < seq.Items.Count => seq.Items[index],
                        _ => null,
                    };
                    if (current is null)
                    {
                        break;
                    }
                }
            }

            if (current is null && _reportedReferences.Add(reference))
            {
                Report("SBX004", at, reference);
            }

            return current;
        }

        /// <summary>The schema key when <paramref name="reference"/> names a component schema (or Swagger definition).</summary>
        private string? SchemaKey(string reference)
        {
            var prefix = _swagger2 ? "#/definitions/" : "#/components/schemas/";
            if (!reference.StartsWith(prefix, StringComparison.Ordinal))
            {
                return null;
            }

            var rest = reference.Substring(prefix.Length);
            return rest.IndexOf('/') >= 0 ? null : Uri.UnescapeDataString(rest).Replace("~1", "/").Replace("~0", "~");
        }
    }
}
