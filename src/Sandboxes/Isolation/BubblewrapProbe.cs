using System.Diagnostics;

namespace Sandboxes.Isolation;

/// <summary>Finds bubblewrap and checks, once per process, that it can create namespaces on this machine.</summary>
internal static class BubblewrapProbe
{
    private static readonly Lazy<string?> Default = new(() => Probe(null));

    /// <summary>The path of a working bwrap, or null with the reason in <paramref name="reason"/>.</summary>
    public static string? Find(string? configuredPath, out string reason)
    {
        var path = configuredPath is null ? Default.Value : Probe(configuredPath);
        reason = path is not null ? string.Empty
            : configuredPath is not null && !File.Exists(configuredPath) ? $"bubblewrap was not found at {configuredPath}"
            : configuredPath is null && Locate("bwrap") is null ? "bubblewrap (bwrap) is not installed"
            : "bubblewrap is installed but cannot create namespaces here (user namespaces disabled, or a seccomp policy forbids them)";
        return path;
    }

    private static string? Probe(string? configured)
    {
        var path = configured ?? Locate("bwrap");
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var start = new ProcessStartInfo(path)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var arg in new[] { "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true" })
            {
                start.ArgumentList.Add(arg);
            }

            if (LibC.GetEuid() != 0)
            {
                start.ArgumentList.Insert(0, "--unshare-user");
            }

            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(10_000) && process.ExitCode == 0 ? path : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    internal static string? Locate(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return File.Exists("/usr/bin/" + name) ? "/usr/bin/" + name : null;
    }
}
