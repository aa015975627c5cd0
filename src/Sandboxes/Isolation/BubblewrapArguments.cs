using System.Globalization;

namespace Sandboxes.Isolation;

/// <summary>
/// bubblewrap's options for a <see cref="JailSpec"/>: new pid, mount, ipc, uts and cgroup namespaces (and network,
/// unless shared), a read-only system, a fresh <c>/proc</c> with the host's kernel settings read-only and its kernel
/// secrets masked, a minimal <c>/dev</c>, private temporary directories, the seccomp filter and the capability drop.
/// </summary>
/// <remarks>
/// They are handed to bubblewrap through a descriptor (<c>--args</c>), not its command line, so the host paths they
/// name do not show in the jail's <c>/proc/1/cmdline</c>.
/// </remarks>
internal static class BubblewrapArguments
{
    /// <summary>The descriptor bubblewrap reads these arguments from.</summary>
    public const int ArgumentsFd = 5;

    /// <summary>The descriptor bubblewrap reads the seccomp filter from.</summary>
    public const int FilterFd = 6;

    /// <summary>The descriptor bubblewrap reports the jail's pid on, when asked to.</summary>
    public const int InfoFd = 3;

    /// <summary>Parts of <c>/proc</c> that reach the host's kernel and are bound read-only (as Docker does).</summary>
    internal static readonly string[] ReadOnlyProc = ["sys", "sysrq-trigger", "fs", "bus", "irq"];

    /// <summary>Files of <c>/proc</c> that reveal kernel memory, addresses or other users' activity, masked (as Docker does).</summary>
    internal static readonly string[] MaskedProcFiles = ["kcore", "keys", "key-users", "timer_list", "timer_stats", "sched_debug", "kallsyms", "latency_stats"];

    /// <summary>Directories of <c>/proc</c> masked with an empty read-only directory (as Docker does).</summary>
    internal static readonly string[] MaskedProcDirectories = ["acpi", "scsi", "asound"];

    /// <summary>The options for <paramref name="spec"/> (without the program, which follows on the command line).</summary>
    public static List<string> For(JailSpec spec, bool filtered)
    {
        var args = new List<string>();
        if (!spec.Identity.Mapped)
        {
            // Not root: bubblewrap maps the client's own uid, the only one it may.
            args.Add("--unshare-user");
        }

        args.AddRange(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]);
        if (!spec.ShareNetwork)
        {
            args.Add("--unshare-net");
        }

        args.AddRange(["--hostname", spec.Hostname, "--ro-bind", "/usr", "/usr"]);
        foreach (var top in new[] { "bin", "sbin", "lib", "lib32", "lib64", "libx32" })
        {
            var hostPath = "/" + top;
            var link = new FileInfo(hostPath).LinkTarget;
            if (link is not null)
            {
                args.AddRange(["--symlink", link, hostPath]);
            }
            else if (Directory.Exists(hostPath))
            {
                args.AddRange(["--ro-bind", hostPath, hostPath]);
            }
        }

        args.AddRange(["--ro-bind", spec.EtcView, "/etc", "--perms", "0755", "--dir", "/var"]);
        foreach (var (name, host) in spec.EtcFiles)
        {
            args.AddRange(["--ro-bind", host, "/etc/" + name]);
        }

        args.AddRange(["--proc", "/proc"]);
        // Only what this kernel has: bubblewrap cannot create a mount point inside /proc.
        foreach (var name in ReadOnlyProc.Where(n => Path.Exists("/proc/" + n)))
        {
            args.AddRange(["--ro-bind", "/proc/" + name, "/proc/" + name]);
        }

        foreach (var name in MaskedProcFiles.Where(n => File.Exists("/proc/" + n)))
        {
            args.AddRange(["--ro-bind", "/dev/null", "/proc/" + name]);
        }

        foreach (var name in MaskedProcDirectories.Where(n => Directory.Exists("/proc/" + n)))
        {
            args.AddRange(["--perms", "0555", "--tmpfs", "/proc/" + name, "--remount-ro", "/proc/" + name]);
        }

        args.AddRange(["--dev", "/dev"]);
        foreach (var tmp in new[] { "/tmp", "/var/tmp" })
        {
            args.AddRange(["--perms", "1777", "--tmpfs", tmp]);
        }

        args.AddRange(["--tmpfs", "/run", "--tmpfs", "/root", "--tmpfs", "/home", "--perms", "0777", "--dir", "/home/user"]);
        foreach (var (host, jail) in spec.WritableDirectories)
        {
            args.AddRange(["--bind", host, jail]);
        }

        foreach (var (jail, size, mode) in spec.Tmpfs)
        {
            args.AddRange(["--size", size.ToString(CultureInfo.InvariantCulture), "--perms", Octal(mode), "--tmpfs", jail]);
        }

        foreach (var (jail, mode) in spec.Directories)
        {
            args.AddRange(["--perms", Octal(mode), "--dir", jail]);
        }

        foreach (var (fd, jail, mode) in spec.DataFiles)
        {
            args.AddRange(["--perms", Octal(mode), "--ro-bind-data", fd.ToString(CultureInfo.InvariantCulture), jail]);
        }

        // A session of its own: a terminal the client has cannot be reached (TIOCSTI) from inside.
        args.AddRange(["--chdir", spec.WorkingDirectory, "--new-session", "--clearenv"]);
        if (spec.DieWithParent)
        {
            args.Add("--die-with-parent");
        }

        if (spec.ReportPid)
        {
            args.AddRange(["--info-fd", InfoFd.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var (key, value) in spec.Environment)
        {
            args.AddRange(["--setenv", key, value]);
        }

        if (filtered)
        {
            args.AddRange(["--seccomp", FilterFd.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(JailCapabilities.BubblewrapArguments(keep: spec.Identity.Mapped));
        return args;
    }

    private static string Octal(int mode) => Convert.ToString(mode, 8).PadLeft(4, '0');
}
