namespace Sandboxes.Providers.Docker;

/// <summary>Turns a sandbox path as users write it into the absolute container path the engine is given.</summary>
internal static class DockerPath
{
    /// <summary>The default working directory, and the base of relative paths.</summary>
    public const string Workspace = "/workspace";

    /// <summary>
    /// Normalises <paramref name="path"/> lexically: relative paths are relative to <c>/workspace</c>; <c>.</c> and empty
    /// parts go; <c>..</c> climbs, and climbing above <c>/</c> is refused. The engine resolves symbolic links inside the
    /// container's own root, so a normalised path can never reach the host.
    /// </summary>
    /// <exception cref="InvalidSandboxPathException">The path leaves the sandbox.</exception>
    public static string Normalize(string path) => UnixPath.Normalize(DockerProvider.ProviderId, path, Workspace);

    /// <summary>The parent of a normalised path (<c>/</c> for the root and its children).</summary>
    public static string Parent(string normalized)
    {
        var slash = normalized.LastIndexOf('/');
        return slash <= 0 ? "/" : normalized[..slash];
    }

    /// <summary>The last part of a normalised path.</summary>
    public static string Name(string normalized) => normalized[(normalized.LastIndexOf('/') + 1)..];
}
