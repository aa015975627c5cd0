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
        leaks.AddRange(Processes([stateDir], RecordedIds()));
        leaks.AddRange(Cgroups(RecordedIds()));
        leaks.AddRange(Reported);
        return leaks;
    }

    /// <summary>
    /// Describes what is left on this host of the given local sandboxes, whose state lives under
    /// <paramref name="stateDir"/>: their state entries, their processes, their cgroups.
    /// </summary>
    public static List<string> FindOf(string stateDir, IReadOnlySet<string> ids)
    {
        var sandboxesDir = Path.Combine(stateDir, "local", "sandboxes");
        var leaks = ids.Where(id => Directory.Exists(Path.Combine(sandboxesDir, id)) || Directory.Exists(Path.Combine(sandboxesDir, ".creating-" + id)))
            .Select(id => "state entry " + id)
            .ToList();
        // Only these sandboxes' directories: a live sandbox's outer bubblewrap process works in its own.
        leaks.AddRange(Processes(ids.Select(id => Path.Combine(sandboxesDir, id) + "/").ToList(), ids));
        leaks.AddRange(Cgroups(ids));
        return leaks;
    }

    /// <summary>Processes whose command line or working directory points under one of <paramref name="dirs"/>, or whose environment names one of <paramref name="ids"/>.</summary>
    private static IEnumerable<string> Processes(IReadOnlyList<string> dirs, IReadOnlySet<string> ids)
    {
        foreach (var procDir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(procDir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string? found = null;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(procDir, "cmdline")).Replace('\0', ' ');
                var cwd = new DirectoryInfo(Path.Combine(procDir, "cwd")).LinkTarget ?? string.Empty;
                var sandboxId = SandboxIdOf(procDir);
                if (dirs.Any(dir => cmdline.Contains(dir, StringComparison.Ordinal) || (cwd + "/").StartsWith(dir, StringComparison.Ordinal))
                    || (sandboxId is not null && ids.Contains(sandboxId)))
                {
                    found = $"process {pid}: {cmdline.Trim()}";
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            if (found is not null)
            {
                yield return found;
            }
        }
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

    // Sandbox cgroups are named by sandbox id under a "sandboxes" directory (the state directory itself is gone once a
    // sandbox is destroyed, so the ids are what finds them).
    private static IEnumerable<string> Cgroups(IReadOnlySet<string> ids)
    {
        if (ids.Count == 0 || !Directory.Exists("/sys/fs/cgroup"))
        {
            yield break;
        }

        foreach (var dir in SafeEnumerate("/sys/fs/cgroup", depth: 6))
        {
            if (Path.GetFileName(Path.GetDirectoryName(dir)) == "sandboxes" && ids.Contains(Path.GetFileName(dir)))
            {
                yield return "cgroup " + dir;
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
