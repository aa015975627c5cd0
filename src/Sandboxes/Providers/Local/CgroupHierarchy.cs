namespace Sandboxes.Providers.Local;

/// <summary>
/// The cgroup mounts this process can use: the unified (v2) hierarchy, and the v1 hierarchies of the memory, pids and
/// cpu controllers where the machine still mounts them (hybrid layouts). Paths are the directories of this process's own
/// cgroups, under which sandbox cgroups are made, so a sandbox never escapes the limits its creator runs under.
/// </summary>
internal sealed record CgroupHierarchy
{
    /// <summary>This process's directory in the unified hierarchy, or null.</summary>
    public string? Unified { get; init; }

    /// <summary>Controllers enabled in the unified hierarchy (memory, pids, cpu...).</summary>
    public IReadOnlySet<string> UnifiedControllers { get; init; } = new HashSet<string>();

    /// <summary>This process's directory in each v1 hierarchy, by controller.</summary>
    public IReadOnlyDictionary<string, string> V1 { get; init; } = new Dictionary<string, string>();

    public static CgroupHierarchy Detect()
    {
        try
        {
            return Parse(File.ReadAllLines("/proc/self/mountinfo"), File.ReadAllLines("/proc/self/cgroup"));
        }
        catch (IOException)
        {
            return new CgroupHierarchy();
        }
        catch (UnauthorizedAccessException)
        {
            return new CgroupHierarchy();
        }
    }

    internal static CgroupHierarchy Parse(IEnumerable<string> mountInfo, IEnumerable<string> ownCgroups)
    {
        // mountinfo: id parent major:minor root mountpoint options... - fstype source superoptions
        var v1Mounts = new Dictionary<string, (string Root, string MountPoint)>();
        (string Root, string MountPoint)? v2Mount = null;
        foreach (var line in mountInfo)
        {
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }

            var left = line[..dash].Split(' ');
            var right = line[(dash + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 3)
            {
                continue;
            }

            var root = Unescape(left[3]);
            var mountPoint = Unescape(left[4]);
            if (right[0] == "cgroup2")
            {
                v2Mount ??= (root, mountPoint);
            }
            else if (right[0] == "cgroup")
            {
                foreach (var option in right[2].Split(','))
                {
                    if (option is "memory" or "pids" or "cpu" or "freezer")
                    {
                        v1Mounts.TryAdd(option, (root, mountPoint));
                    }
                }
            }
        }

        string? unified = null;
        var v1 = new Dictionary<string, string>();
        foreach (var line in ownCgroups)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0 && v2Mount is { } m2)
            {
                unified = Join(m2.MountPoint, m2.Root, parts[2]);
            }
            else
            {
                foreach (var controller in parts[1].Split(','))
                {
                    if (v1Mounts.TryGetValue(controller, out var m1))
                    {
                        v1[controller] = Join(m1.MountPoint, m1.Root, parts[2]);
                    }
                }
            }
        }

        var controllers = new HashSet<string>();
        if (unified is not null)
        {
            try
            {
                controllers.UnionWith(File.ReadAllText(Path.Combine(unified, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            catch (IOException)
            {
            }
        }

        return new CgroupHierarchy { Unified = unified, UnifiedControllers = controllers, V1 = v1 };
    }

    private static string Join(string mountPoint, string mountRoot, string cgroupPath)
    {
        // A container may see its own cgroup as the mount root; strip that prefix from the path /proc/self/cgroup reports.
        var relative = cgroupPath;
        if (mountRoot != "/" && relative.StartsWith(mountRoot, StringComparison.Ordinal))
        {
            relative = relative[mountRoot.Length..];
        }

        return Path.Combine(mountPoint, relative.TrimStart('/'));
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
