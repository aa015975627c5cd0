namespace Sandboxes.Tests;

/// <summary>
/// Finds what a test run's sandboxes left behind: local processes, cgroups, state entries, temporary files, and whatever
/// a target reports at its end (containers still alive on a container engine).
/// </summary>
public static class LeakCheck
{
    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Reported = new();

    /// <summary>Records a leftover a target found when it stopped.</summary>
    public static void Report(string leak) => Reported.Enqueue(leak);

    /// <summary>The sandbox ids this run created (see <see cref="Record"/>).</summary>
    public static HashSet<string> RecordedIds()
    {
        var idsFile = Path.Combine(TestEnvironment.StateDir, "created-ids");
        return File.Exists(idsFile) ? File.ReadAllLines(idsFile).Where(l => l.Length > 0).ToHashSet() : [];
    }

    /// <summary>Describes every leftover of sandboxes whose state lived under <paramref name="stateDir"/>.</summary>
    public static List<string> Find(string stateDir)
    {
        var leaks = new List<string>();
        // The run's own local clients keep their state here, and each vendor emulator under emulators/<id>.
        var emulatorsDir = Path.Combine(stateDir, "emulators");
        var stateRoots = Directory.Exists(emulatorsDir) ? Directory.EnumerateDirectories(emulatorsDir).Prepend(stateDir) : [stateDir];
        foreach (var root in stateRoots)
        {
            var sandboxesDir = Path.Combine(root, "local", "sandboxes");
            if (Directory.Exists(sandboxesDir))
            {
                leaks.AddRange(Directory.EnumerateDirectories(sandboxesDir).Select(d => "state entry " + Path.GetFileName(d)));
            }
        }

        // Processes: anything whose command line or working directory points into the run's state directory, or whose
        // environment names a sandbox of this run (a jail's command lines name no host path).
        var ids = RecordedIds();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget ?? string.Empty;
                var sandboxId = SandboxIdOf(dir);
                if (cmdline.Contains(stateDir, StringComparison.Ordinal) || cwd.StartsWith(stateDir, StringComparison.Ordinal)
                    || (sandboxId is not null && ids.Contains(sandboxId)))
                {
                    leaks.Add($"process {pid}: {cmdline.Trim()}");
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        leaks.AddRange(SandboxCgroupsCreatedBy(stateDir));
        leaks.AddRange(Reported);
        return leaks;
    }

    private static string? SandboxIdOf(string procDir)
    {
        try
        {
            const string key = "SANDBOX_ID=";
            return File.ReadAllText(Path.Combine(procDir, "environ")).Split('\0').FirstOrDefault(e => e.StartsWith(key, StringComparison.Ordinal))?[key.Length..];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> SandboxCgroupsCreatedBy(string stateDir)
    {
        // Sandbox cgroups are named by sandbox id under a "sandboxes" directory; ids of this run are recorded in the
        // ids file the tests append to (the state directory itself is gone once a sandbox is destroyed).
        var idsFile = Path.Combine(stateDir, "created-ids");
        if (!File.Exists(idsFile))
        {
            yield break;
        }

        var ids = File.ReadAllLines(idsFile).Where(l => l.Length > 0).ToHashSet();
        foreach (var root in new[] { "/sys/fs/cgroup" })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var dir in SafeEnumerate(root, depth: 6))
            {
                if (Path.GetFileName(Path.GetDirectoryName(dir)) == "sandboxes" && ids.Contains(Path.GetFileName(dir)))
                {
                    yield return "cgroup " + dir;
                }
            }
        }
    }

    private static IEnumerable<string> SafeEnumerate(string root, int depth)
    {
        if (depth == 0)
        {
            yield break;
        }

        string[] children;
        try
        {
            children = Directory.GetDirectories(root);
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var child in children)
        {
            yield return child;
            foreach (var grandChild in SafeEnumerate(child, depth - 1))
            {
                yield return grandChild;
            }
        }
    }

    /// <summary>Remembers a sandbox id so the leak check can look for its cgroups.</summary>
    public static void Record(string sandboxId)
    {
        lock (typeof(LeakCheck))
        {
            File.AppendAllText(Path.Combine(TestEnvironment.StateDir, "created-ids"), sandboxId + "\n");
        }
    }
}
