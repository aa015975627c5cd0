namespace Sandboxes.Providers.Local;

/// <summary>
/// Puts a sandbox's run directory (the agent's FIFOs and one directory per command) on a memory filesystem, with a
/// link to it where the state directory expects it.
/// </summary>
/// <remarks>
/// Every command creates and removes a handful of files and FIFOs there; on a journaling disk filesystem that is
/// 0.5 to 1 ms of metadata work per command, on tmpfs a tenth of it. Nothing in it outlives the sandbox's processes,
/// which a reboot ends anyway, so a runtime directory (<c>XDG_RUNTIME_DIR</c>, else <c>/dev/shm</c>) is the right place.
/// </remarks>
internal static class RuntimeDirectory
{
    /// <summary>
    /// The directory run directories go under: <c>runtime_dir</c> in the config, else <c>$XDG_RUNTIME_DIR/sandboxes</c>,
    /// else <c>/dev/shm/sandboxes-UID</c>; null (run directories stay in the state directory) when none is usable.
    /// </summary>
    public static string? Root(string? configured)
    {
        if (configured is { Length: > 0 })
        {
            return Path.GetFullPath(configured);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) && Directory.Exists(xdg))
        {
            return Path.Combine(xdg, "sandboxes");
        }

        return Directory.Exists("/dev/shm") ? $"/dev/shm/sandboxes-{LibC.GetEuid()}" : null;
    }

    /// <summary>
    /// Creates <paramref name="runDir"/>: a link to a new directory under <paramref name="root"/> when the root is this
    /// user's own directory (created 0700 if missing), else a plain directory.
    /// </summary>
    public static void Create(string runDir, string? root)
    {
        if (root is not null && EnsureOwnRoot(root))
        {
            var target = Path.Combine(root, Path.GetFileName(Path.GetDirectoryName(runDir)!) + "-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(target);
            File.CreateSymbolicLink(runDir, target);
            return;
        }

        Directory.CreateDirectory(runDir);
    }

    /// <summary>
    /// Removes the directory a sandbox's run link points to (the link itself goes with the sandbox's directory).
    /// </summary>
    /// <exception cref="IOException">Something in it could not be removed yet; the caller tries again.</exception>
    public static void DeleteTarget(string runDir)
    {
        if (new FileInfo(runDir).LinkTarget is { } target && Path.IsPathRooted(target)
            // Only what Create made: a directory named after this sandbox.
            && Path.GetFileName(target).StartsWith(Path.GetFileName(Path.GetDirectoryName(runDir)!) + "-", StringComparison.Ordinal)
            && Directory.Exists(target))
        {
            try
            {
                Directory.Delete(target, recursive: true);
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to remove after all: the sandbox's own directory still goes.
            }
        }
    }

    // Another user could have made a shared path like /dev/shm/sandboxes-0 first: use it only if it is a real directory
    // of ours that nobody else can write.
    private static bool EnsureOwnRoot(string root)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            if (!Directory.Exists(root))
            {
                Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        return LibC.Statx(-100, root, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) == 0
               && (st.Mode & LibC.S_IFMT) == LibC.S_IFDIR
               && st.Uid == (uint)LibC.GetEuid()
               && (st.Mode & 0x12) == 0; // no group or other write
    }
}
