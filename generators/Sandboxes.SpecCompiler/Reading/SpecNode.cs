using System.Collections.Generic;

namespace Sandboxes.Generators.Reading
{
    /// <summary>
    /// One node of a spec document, read from JSON or YAML into the same shape. Lives only inside one parse: it never
    /// crosses a pipeline step, so it needs no equality.
    /// </summary>
    internal abstract class SpecNode
    {
        protected SpecNode(int line, int column)
        {
            Line = line;
            Column = column;
        }

        /// <summary>Zero-based line of the node in its file.</summary>
        public int Line { get; }

        /// <summary>Zero-based column of the node in its file.</summary>
        public int Column { get; }
    }

    internal sealed class MapNode : SpecNode
    {
        private readonly Dictionary<string, SpecNode> _lookup = new Dictionary<string, SpecNode>(System.StringComparer.Ordinal);

        public MapNode(int line, int column)
            : base(line, column)
        {
        }

        public List<KeyValuePair<string, SpecNode>> Entries { get; } = new List<KeyValuePair<string, SpecNode>>();

        public SpecNode? this[string key] => _lookup.TryGetValue(key, out var value) ? value : null;

        public void Add(string key, SpecNode value)
        {
            if (_lookup.ContainsKey(key))
            {
                // Later duplicates win, as in most JSON readers; keep the first position for stable order.
                _lookup[key] = value;
                for (var i = 0; i < Entries.Count; i++)
                {
                    if (Entries[i].Key == key)
                    {
                        Entries[i] = new KeyValuePair<string, SpecNode>(key, value);
                    }
                }

                return;
            }

            _lookup.Add(key, value);
            Entries.Add(new KeyValuePair<string, SpecNode>(key, value));
        }

        public MapNode? Map(string key) => this[key] as MapNode;

        public SeqNode? Seq(string key) => this[key] as SeqNode;

        public string? String(string key) => (this[key] as ScalarNode)?.Value;

        public bool Bool(string key) => this[key] is ScalarNode { Value: "true" };

        public bool Has(string key) => _lookup.ContainsKey(key);
    }

    internal sealed class SeqNode : SpecNode
    {
        public SeqNode(int line, int column)
            : base(line, column)
        {
        }

        public List<SpecNode> Items { get; } = new List<SpecNode>();
    }

    internal enum ScalarKind
    {
        String,
        Number,
        Bool,
        Null,
    }

    internal sealed class ScalarNode : SpecNode
    {
        public ScalarNode(string? value, ScalarKind kind, int line, int column)
            : base(line, column)
        {
            Value = value;
            Kind = kind;
        }

        /// <summary>The text of the scalar (<c>true</c>/<c>false</c> for booleans, null for null).</summary>
        public string? Value { get; }

        public ScalarKind Kind { get; }
    }
}
