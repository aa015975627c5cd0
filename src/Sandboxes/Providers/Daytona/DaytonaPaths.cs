namespace Sandboxes.Providers.Daytona;

/// <summary>
/// Sandbox paths as the toolbox takes them: absolute and normalised, relative ones resolved against the sandbox's working
/// directory (the toolbox's <c>/work-dir</c>), and never above <c>/</c>.
/// </summary>
internal static class DaytonaPaths
{
    /// <summary>True when the path needs the working directory to be resolved.</summary>
    public static bool IsRelative(string path) => !path.StartsWith('/');

    /// <summary>The absolute, normalised form of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidSandboxPathException">The path climbs above the root directory.</exception>
    public static string Normalize(string path, string workDir) => UnixPath.Normalize(DaytonaProvider.ProviderId, path, workDir);

    /// <summary>A child's path.</summary>
    public static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;
}
