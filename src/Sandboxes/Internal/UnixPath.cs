namespace Sandboxes;

/// <summary>Lexical normalisation of the POSIX paths users give for files inside a sandbox, shared by the adapters.</summary>
internal static class UnixPath
{
    /// <summary>
    /// Makes <paramref name="path"/> absolute (relative to <paramref name="baseDir"/>), drops <c>.</c> and empty parts and
    /// applies <c>..</c>; climbing above <c>/</c> is refused.
    /// </summary>
    /// <exception cref="InvalidSandboxPathException">The path climbs above the root.</exception>
    public static string Normalize(string provider, string path, string baseDir)
    {
        var full = path.StartsWith('/') ? path : baseDir.TrimEnd('/') + "/" + path;
        var parts = new List<string>();
        foreach (var part in full.Split('/'))
        {
            switch (part)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (parts.Count == 0)
                    {
                        throw new InvalidSandboxPathException(provider, path, "it climbs above the sandbox's root");
                    }

                    parts.RemoveAt(parts.Count - 1);
                    break;
                default:
                    parts.Add(part);
                    break;
            }
        }

        return "/" + string.Join('/', parts);
    }
}
