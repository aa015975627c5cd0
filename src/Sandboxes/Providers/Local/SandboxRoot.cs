using System.Globalization;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Reaches a namespace sandbox's file system from the host through its first process: <c>/proc/PID/root</c>, opened
/// only after checking, through the same <c>/proc/PID</c> descriptor, that PID is still the process that started at
/// the recorded time (a pid the kernel has given to another process would lead to that process's root instead).
/// </summary>
internal static class SandboxRoot
{
    // The agent's run directory inside a namespace sandbox (its own size-limited tmpfs), relative to the root.
    private static readonly string RunDirectory = AgentScript.MountPoint.TrimStart('/');

    /// <summary>An O_PATH descriptor of the sandbox's root, or -1 when its first process is gone.</summary>
    public static int TryOpen(int initPid, ulong startTime) => OpenOfProcess(initPid, startTime, "root", LibC.O_PATH | LibC.O_DIRECTORY);

    /// <summary>A descriptor of one of the sandbox's namespaces (<c>net</c>, ...), or -1 when its first process is gone.</summary>
    public static int TryOpenNamespace(int initPid, ulong startTime, string name) => OpenOfProcess(initPid, startTime, "ns/" + name, LibC.O_RDONLY);

    private static int OpenOfProcess(int initPid, ulong startTime, string entry, int flags)
    {
        var proc = LibC.Open("/proc/" + initPid.ToString(CultureInfo.InvariantCulture), LibC.O_PATH | LibC.O_DIRECTORY);
        if (proc < 0)
        {
            return -1;
        }

        try
        {
            if (ProcessTable.StartTimeAt(proc) != startTime)
            {
                return -1;
            }

            // "root" and the namespaces are magic links: followed on purpose, from the descriptor of this very process.
            return LibC.OpenAt2(proc, entry, flags, 0, 0);
        }
        finally
        {
            LibC.Close(proc);
        }
    }

    /// <summary>The sandbox's root, or a <see cref="SandboxStateException"/> when its processes are gone.</summary>
    public static int Open(string sandboxId, int initPid, ulong startTime)
    {
        var fd = TryOpen(initPid, startTime);
        return fd >= 0 ? fd : throw Stopped(sandboxId);
    }

    /// <summary>The agent's run directory inside the sandbox, as a <see cref="ConfinedDirectory"/>.</summary>
    public static ConfinedDirectory OpenRunDirectory(string sandboxId, int initPid, ulong startTime)
    {
        var root = Open(sandboxId, initPid, startTime);
        try
        {
            // The mount point itself is crossed (it is a tmpfs of its own); a link in its place is not followed.
            var fd = LibC.OpenAt2(root, RunDirectory, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0,
                LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS);
            return fd >= 0
                ? ConfinedDirectory.FromDescriptor(LocalProvider.ProviderId, "/" + RunDirectory, fd)
                : throw new SandboxStateException(LocalProvider.ProviderId, sandboxId, SandboxStatus.Error,
                    $"The run directory of sandbox {sandboxId} is gone or was replaced ({LibC.ErrorText(LibC.LastError)}); its agent cannot be reached.");
        }
        finally
        {
            LibC.Close(root);
        }
    }

    private static SandboxStateException Stopped(string sandboxId) =>
        new(LocalProvider.ProviderId, sandboxId, SandboxStatus.Stopped,
            $"The sandbox {sandboxId} is no longer running (it was killed, reached the end of its lifetime, or the machine restarted).");
}
