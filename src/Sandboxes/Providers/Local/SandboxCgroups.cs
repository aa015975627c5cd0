using System.Globalization;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Makes, limits, freezes, kills and removes the cgroups of one sandbox. The unified hierarchy gives freeze and kill
/// (and limits where its controllers are enabled); v1 hierarchies give memory, pids and cpu limits on hybrid machines.
/// A limit that cannot be enforced is refused before anything is started.
/// </summary>
internal static class SandboxCgroups
{
    private const string Parent = "sandboxes";

    /// <summary>The cgroups made for a sandbox.</summary>
    internal sealed record Placement(List<string> Dirs, string? Freezer, string? Memory);

    /// <summary>Every cgroup directory <see cref="Create"/> could have made for a sandbox that exists: where to look for what a create cut short left.</summary>
    public static List<string> Existing(CgroupHierarchy hierarchy, string sandboxId) =>
        new[] { hierarchy.Unified }.Concat(hierarchy.V1.Values)
            .Where(d => d is not null)
            .Select(d => Path.Combine(d!, Parent, sandboxId))
            .Where(Directory.Exists)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Creates the sandbox's cgroups and applies its limits.</summary>
    /// <exception cref="FeatureNotSupportedException">A limit was asked for that cgroups here cannot enforce.</exception>
    public static Placement Create(CgroupHierarchy hierarchy, string sandboxId, double? cpus, int? memoryMb, int? maxProcesses)
    {
        var dirs = new List<string>();
        string? freezer = null;
        string? memory = null;
        try
        {
            if (hierarchy.Unified is { } unified && TryMakeDir(Path.Combine(unified, Parent, sandboxId)) is { } v2Dir)
            {
                dirs.Add(v2Dir);
                if (File.Exists(Path.Combine(v2Dir, "cgroup.freeze")))
                {
                    freezer = v2Dir;
                }
            }

            if (memoryMb is { } mb)
            {
                var bytes = ((long)mb * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
                memory = Limit(hierarchy, sandboxId, dirs, "memory", "memory.max", bytes, "memory.limit_in_bytes", bytes)
                         ?? throw NotEnforceable(Capability.MemoryLimit, "MemoryMb", "memory");
                // v1: without this the kernel would swap instead of enforcing the limit, where swap exists.
                TryWrite(Path.Combine(memory, "memory.memsw.limit_in_bytes"), bytes);
                TryWrite(Path.Combine(memory, "memory.swap.max"), "0");
            }

            if (maxProcesses is { } max)
            {
                var value = max.ToString(CultureInfo.InvariantCulture);
                _ = Limit(hierarchy, sandboxId, dirs, "pids", "pids.max", value, "pids.max", value)
                    ?? throw NotEnforceable(Capability.ProcessLimit, "MaxProcesses", "pids");
            }

            if (cpus is { } cpu)
            {
                const int period = 100_000;
                var quota = Math.Max(1000, (long)Math.Round(cpu * period)).ToString(CultureInfo.InvariantCulture);
                _ = Limit(hierarchy, sandboxId, dirs, "cpu", "cpu.max", $"{quota} {period}", "cpu.cfs_quota_us", quota,
                        v1Setup: dir => File.WriteAllText(Path.Combine(dir, "cpu.cfs_period_us"), period.ToString(CultureInfo.InvariantCulture)))
                    ?? throw NotEnforceable(Capability.CpuLimit, "Cpus", "cpu");
            }

            return new Placement(dirs, freezer, memory);
        }
        catch
        {
            Remove(dirs);
            throw;
        }
    }

    /// <summary>Kills every process in the sandbox's cgroups and waits until they are empty.</summary>
    public static void KillAll(IReadOnlyList<string> dirs)
    {
        foreach (var dir in dirs)
        {
            if (!TryWrite(Path.Combine(dir, "cgroup.kill"), "1"))
            {
                // v1 has no cgroup.kill: signal each member until none is left (a fork during the loop is caught next round).
                for (var round = 0; round < 50 && Members(dir).ToList() is { Count: > 0 } pids; round++)
                {
                    foreach (var pid in pids)
                    {
                        LibC.Kill(pid, 9);
                    }

                    Thread.Sleep(2);
                }
            }
        }

        // A frozen cgroup keeps killed processes from dying until thawed.
        foreach (var dir in dirs)
        {
            TryWrite(Path.Combine(dir, "cgroup.freeze"), "0");
        }
    }

    /// <summary>Removes the sandbox's cgroup directories (retrying while the last processes exit).</summary>
    public static void Remove(IReadOnlyList<string> dirs)
    {
        foreach (var dir in dirs)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                try
                {
                    if (!Directory.Exists(dir))
                    {
                        break;
                    }

                    Directory.Delete(dir);
                    break;
                }
                catch (IOException)
                {
                    Thread.Sleep(5);
                }
                catch (UnauthorizedAccessException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Freezes or thaws the sandbox and waits until the kernel reports the new state.</summary>
    public static bool SetFrozen(string freezerDir, bool frozen)
    {
        if (!TryWrite(Path.Combine(freezerDir, "cgroup.freeze"), frozen ? "1" : "0"))
        {
            return false;
        }

        var wanted = frozen ? "frozen 1" : "frozen 0";
        for (var i = 0; i < 500; i++)
        {
            try
            {
                if (File.ReadAllText(Path.Combine(freezerDir, "cgroup.events")).Contains(wanted, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                return false;
            }

            Thread.Sleep(2);
        }

        return true;
    }

    /// <summary>True when the freezer reports the cgroup frozen.</summary>
    public static bool IsFrozen(string freezerDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(freezerDir, "cgroup.freeze")).Trim() == "1";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The number of out-of-memory kills in the sandbox so far.</summary>
    public static long OomKills(string? memoryDir)
    {
        if (memoryDir is null)
        {
            return 0;
        }

        foreach (var file in new[] { "memory.events", "memory.oom_control" })
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(memoryDir, file)))
                {
                    if (line.StartsWith("oom_kill ", StringComparison.Ordinal) &&
                        long.TryParse(line.AsSpan(9), CultureInfo.InvariantCulture, out var count))
                    {
                        return count;
                    }
                }
            }
            catch (IOException)
            {
            }
        }

        return 0;
    }

    /// <summary>The pids in a cgroup.</summary>
    public static IEnumerable<int> Members(string dir)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(dir, "cgroup.procs"));
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            if (int.TryParse(line, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    private static string? Limit(CgroupHierarchy hierarchy, string sandboxId, List<string> dirs, string controller,
        string v2File, string v2Value, string v1File, string v1Value, Action<string>? v1Setup = null)
    {
        if (hierarchy.UnifiedControllers.Contains(controller) && dirs.Count > 0 && dirs[0].StartsWith(hierarchy.Unified!, StringComparison.Ordinal))
        {
            var v2Dir = dirs[0];
            TryWrite(Path.Combine(Path.GetDirectoryName(v2Dir)!, "cgroup.subtree_control"), "+" + controller);
            if (TryWrite(Path.Combine(v2Dir, v2File), v2Value))
            {
                return v2Dir;
            }
        }

        if (hierarchy.V1.TryGetValue(controller, out var v1Own))
        {
            var dir = TryMakeDir(Path.Combine(v1Own, Parent, sandboxId));
            if (dir is not null)
            {
                if (!dirs.Contains(dir))
                {
                    dirs.Add(dir);
                }

                try
                {
                    v1Setup?.Invoke(dir);
                }
                catch (IOException)
                {
                    return null;
                }

                if (TryWrite(Path.Combine(dir, v1File), v1Value))
                {
                    return dir;
                }
            }
        }

        return null;
    }

    private static FeatureNotSupportedException NotEnforceable(Capability capability, string field, string controller) =>
        new(LocalProvider.ProviderId, capability,
            $"CreateSandboxRequest.{field} cannot be enforced here: no writable cgroup with the {controller} controller is available " +
            "(limits need root, or a delegated cgroup). Leave it unset to run without the limit.");

    private static string? TryMakeDir(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            return dir;
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

    private static bool TryWrite(string file, string value)
    {
        try
        {
            if (!File.Exists(file))
            {
                return false;
            }

            File.WriteAllText(file, value);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
