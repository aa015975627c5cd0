using System.Diagnostics;
using System.Globalization;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// A workspace of a fixed size (<see cref="CreateSandboxRequest.DiskMb"/>): an ext4 image in the sandbox's state
/// directory (sparse: it takes only what is written), loop-mounted at the workspace, so a sandbox that fills it gets
/// ENOSPC and the host's disk keeps the rest. Mounting needs root; the image outlives the sandbox's processes like
/// any workspace, and goes with the sandbox.
/// </summary>
internal static class WorkspaceDisk
{
    /// <summary>Makes and mounts the image.</summary>
    /// <exception cref="FeatureNotSupportedException">The client is not root, so it cannot mount an image.</exception>
    public static void Create(SandboxPaths paths, IdentityMap identity, int sizeMb)
    {
        if (LibC.GetEuid() != 0)
        {
            throw new FeatureNotSupportedException(LocalProvider.ProviderId, Capability.DiskLimit,
                "a local disk limit is a loop-mounted image, which only a client running as root can mount.");
        }

        var image = ImagePath(paths);
        using (var file = File.Create(image))
        {
            file.SetLength(sizeMb * 1024L * 1024L);
        }

        var owner = identity.RootOwner ?? (0, 0);
        // No journal and no reserved blocks: a workspace needs neither, and every block is the sandbox's.
        Run("mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", "-E",
            string.Create(CultureInfo.InvariantCulture, $"root_owner={owner.Uid}:{owner.Gid}"), image);
        Directory.CreateDirectory(paths.WorkspaceDir);
        Run("mount", "-o", "loop,nosuid,nodev", image, paths.WorkspaceDir);
        Directory.Delete(Path.Combine(paths.WorkspaceDir, "lost+found"));
    }

    /// <summary>Unmounts the workspace if an image is mounted there (the loop device goes with it).</summary>
    public static void Release(SandboxPaths paths)
    {
        if (IsMounted(paths.WorkspaceDir))
        {
            // Detached: a process still in it (a dying sandbox) cannot keep the mount, and the image goes with the directory.
            LibC.Umount2(paths.WorkspaceDir, LibC.MNT_DETACH);
        }
    }

    private static string ImagePath(SandboxPaths paths) => Path.Combine(paths.Dir, "workspace.img");

    private static bool IsMounted(string path)
    {
        try
        {
            // The mount point field of mountinfo, octal-escaped as the kernel writes it.
            var escaped = path.Replace("\\", "\\134", StringComparison.Ordinal).Replace(" ", "\\040", StringComparison.Ordinal);
            return File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } fields && fields[4] == escaped);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new ProviderException(LocalProvider.ProviderId, $"Could not start {program}.");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, $"Could not make the sandbox's disk ({program}): {output.Trim()}");
        }
    }
}
