namespace Sandboxes.Providers.E2B;

/// <summary>
/// Sandbox paths as the adapter sends them to envd: always absolute and normalised, relative ones taken from the
/// working directory, so that envd's own rule (relative to the user's home) never applies by surprise.
/// </summary>
internal static class E2BPaths
{
    /// <summary>The absolute, normalised form of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidSandboxPathException">The path climbs above <c>/</c>.</exception>
    public static string Absolute(string path, string workdir) => UnixPath.Normalize(E2BProvider.ProviderId, path, workdir);
}
