using NUnit.Framework;

namespace Sandboxes.Testing;

/// <summary>
/// Checks for the real components a test needs (bubblewrap, podman, Prism, Jupyter, tmux). Outside CI a missing
/// component makes the test report, by name, why it did not run; under CI (<c>SANDBOXES_REQUIRE_ALL=1</c>, set by
/// <c>.ci/run</c>) it fails the test instead, so nothing is skipped silently where everything should be installed.
/// </summary>
public static class Requires
{
    /// <summary>True when the test run must have every component (CI).</summary>
    public static bool AllComponentsRequired =>
        Environment.GetEnvironmentVariable("SANDBOXES_REQUIRE_ALL") is "1" or "true";

    /// <summary>The repository root (the folder holding Sandboxes.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Requires an executable on PATH (or at an absolute path).</summary>
    public static string Executable(string name, string component)
    {
        var found = FindExecutable(name);
        if (found is null)
        {
            Missing(component, $"'{name}' was not found on PATH");
        }

        return found!;
    }

    /// <summary>Requires bubblewrap (namespace isolation for the local provider).</summary>
    public static void Bubblewrap() => Executable("bwrap", "bubblewrap");

    /// <summary>Requires a Jupyter Server and the Python kernel in /usr (where a jailed server finds them).</summary>
    public static void Jupyter()
    {
        if (!File.Exists("/usr/bin/jupyter-server"))
        {
            Missing("jupyter-server", "/usr/bin/jupyter-server is absent");
        }

        if (!Directory.Exists("/usr/lib/python3/dist-packages/ipykernel"))
        {
            Missing("python3-ipykernel", "/usr/lib/python3/dist-packages/ipykernel is absent");
        }
    }

    /// <summary>Requires the Prism CLI installed by scripts/setup.sh under .tools/prism.</summary>
    public static string Prism()
    {
        var path = Path.Combine(RepositoryRoot, ".tools", "prism", "node_modules", ".bin", "prism");
        if (!File.Exists(path))
        {
            Missing("Prism", $"{Path.GetRelativePath(RepositoryRoot, path)} is absent");
        }

        return path;
    }

    /// <summary>
    /// Requires a vendor's own npm client installed by scripts/setup.sh under .tools/referees, and returns that directory
    /// (a script run there imports the client).
    /// </summary>
    public static string Referee(string package)
    {
        var directory = Path.Combine(RepositoryRoot, ".tools", "referees");
        if (!File.Exists(Path.Combine(directory, "node_modules", package, "package.json")))
        {
            Missing($"the npm package {package}", $".tools/referees/node_modules/{package} is absent");
        }

        return directory;
    }

    /// <summary>Reports a missing component: ignored with the reason outside CI, a failure under CI.</summary>
    public static void Missing(string component, string reason)
    {
        var message = $"{component} is not installed here ({reason}); `bash scripts/setup.sh` installs it. This test did not run.";
        if (AllComponentsRequired)
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }

    /// <summary>Finds an executable on PATH, or null.</summary>
    public static string? FindExecutable(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sandboxes.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Sandboxes.sln not found above " + AppContext.BaseDirectory);
    }
}
