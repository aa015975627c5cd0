using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators
{
    /// <summary>
    /// Reads the list of specs the MSBuild targets write: for each spec, lines <c>spec=</c>, <c>output=</c> and any of
    /// <c>namespace=</c>, <c>clientName=</c>, <c>baseUrl=</c>, <c>includeTags=</c>, <c>includePaths=</c>,
    /// <c>includeOperations=</c>, <c>visibility=</c>, <c>rootNamespace=</c>, then a line <c>---</c>. Lists are separated
    /// by <c>;</c> or <c>,</c>.
    /// </summary>
    internal static class SpecRequestFile
    {
        public static List<SpecRequest> Read(string path)
        {
            var requests = new List<SpecRequest>();
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in File.ReadAllLines(path).Append("---"))
            {
                if (line.Trim() == "---")
                {
                    if (values.TryGetValue("spec", out var spec) && values.TryGetValue("output", out var output))
                    {
                        requests.Add(new SpecRequest(spec, output, Get(values, "namespace"), Get(values, "clientName"), Get(values, "baseUrl"),
                            List(values, "includeTags"), List(values, "includePaths"), List(values, "includeOperations"), Get(values, "visibility"),
                            Get(values, "rootNamespace")));
                    }

                    values.Clear();
                    continue;
                }

                var equals = line.IndexOf('=');
                if (equals > 0)
                {
                    values[line.Substring(0, equals).Trim()] = line.Substring(equals + 1).Trim();
                }
            }

            return requests;
        }

        private static string? Get(Dictionary<string, string> values, string key) =>
            values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

        private static EquatableArray<string> List(Dictionary<string, string> values, string key) =>
            Get(values, key) is { } value
                ? value.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()).Where(v => v.Length > 0).ToEquatableArray()
                : EquatableArray<string>.Empty;
    }
}
