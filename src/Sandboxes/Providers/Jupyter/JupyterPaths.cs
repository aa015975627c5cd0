namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Sandbox paths of a Jupyter server: real paths on the server's machine, as its kernels see them (relative ones are
/// relative to the workspace). The contents API reaches those under the server's root directory, by their path
/// relative to it; a started server is jailed with its root at <c>/</c>, so there it reaches every path.
/// </summary>
internal sealed class JupyterPaths
{
    public JupyterPaths(string root, string workspace)
    {
        Root = Normalize(root, "/");
        Workspace = Normalize(workspace, "/");
    }

    /// <summary>The server's root directory.</summary>
    public string Root { get; }

    /// <summary>The working directory of kernels and commands, and the base of relative paths.</summary>
    public string Workspace { get; }

    /// <summary>The absolute, normalised form of a sandbox path.</summary>
    /// <exception cref="InvalidSandboxPathException">The path climbs above <c>/</c>.</exception>
    public string Absolute(string path) => Normalize(path, Workspace);

    /// <summary>The contents API path of a sandbox path (empty for the root).</summary>
    /// <exception cref="InvalidSandboxPathException">The path is outside the server's root.</exception>
    public string Contents(string path)
    {
        var absolute = Absolute(path);
        if (Root == "/")
        {
            return absolute.TrimStart('/');
        }

        if (absolute == Root)
        {
            return string.Empty;
        }

        return absolute.StartsWith(Root + "/", StringComparison.Ordinal)
            ? absolute[(Root.Length + 1)..]
            : throw new InvalidSandboxPathException(JupyterProvider.ProviderId, path, $"it is outside the Jupyter server's root directory {Root}");
    }

    /// <summary>The sandbox path of a contents API path.</summary>
    public string FromContents(string contentsPath) =>
        Root == "/" ? "/" + contentsPath.TrimStart('/') : Root + (contentsPath.Length == 0 ? string.Empty : "/" + contentsPath.TrimStart('/'));

    private static string Normalize(string path, string baseDir) => UnixPath.Normalize(JupyterProvider.ProviderId, path, baseDir);
}
