namespace Sandboxes.Providers.Local;

/// <summary>Turns a sandbox path as users write it into the form the file operations resolve below the sandbox root.</summary>
internal static class SandboxPath
{
    /// <summary>The default working directory, and the base of relative paths.</summary>
    public const string Workspace = "/workspace";

    /// <summary>
    /// Normalises <paramref name="path"/> lexically: relative paths are relative to <c>/workspace</c>; <c>.</c> and empty parts
    /// go; <c>..</c> climbs, and climbing above <c>/</c> is refused. Returns the absolute form and the form relative to the root
    /// (<c>.</c> for the root itself).
    /// </summary>
    /// <exception cref="InvalidSandboxPathException">The path leaves the sandbox.</exception>
    public static (string Absolute, string Relative) Normalize(string path)
    {
        var absolute = UnixPath.Normalize(LocalProvider.ProviderId, path, Workspace);
        return (absolute, absolute == "/" ? "." : absolute[1..]);
    }
}
