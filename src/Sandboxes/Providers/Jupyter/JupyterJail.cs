using Sandboxes.Providers.Local;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// The bubblewrap arguments that give a started Jupyter server the file system of a sandbox: a read-only view of
/// <c>/usr</c> and of the <c>/etc</c> files programs need, a writable <c>/workspace</c> (a host directory), private
/// <c>/tmp</c>, <c>/root</c> and <c>/home</c>, its own pid namespace (the server and every kernel die together), and the
/// host's network, so that it can listen on the host's 127.0.0.1. Paths in the file API and in kernels then agree.
/// </summary>
internal static class JupyterJail
{
    /// <summary>The sandbox path of the shared workspace.</summary>
    public const string Workspace = "/workspace";

    private static readonly string[] RootCapabilities =
        ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"];

    /// <summary>Arguments from bubblewrap itself to the end of its options; the server's command line follows.</summary>
    public static List<string> Arguments(string bubblewrap, string hostWorkspace, string etcDir)
    {
        var args = new List<string> { bubblewrap };
        var root = LibC.GetEuid() == 0;
        if (!root)
        {
            args.Add("--unshare-user");
        }

        // No --unshare-net: the server must listen on the host's loopback. --die-with-parent: when the watchdog kills
        // this bubblewrap, everything inside goes too.
        args.AddRange(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent"]);
        args.AddRange(["--hostname", "jupyter", "--ro-bind", "/usr", "/usr"]);
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

        args.AddRange(["--perms", "0755", "--dir", "/etc", "--perms", "0755", "--dir", "/var"]);
        foreach (var entry in SandboxEtc.HostEntries)
        {
            args.AddRange(["--ro-bind-try", "/etc/" + entry, "/etc/" + entry]);
        }

        foreach (var own in new[] { "passwd", "group", "hostname", "hosts", "resolv.conf" })
        {
            args.AddRange(["--ro-bind", Path.Combine(etcDir, own), "/etc/" + own]);
        }

        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        foreach (var tmp in new[] { "/tmp", "/var/tmp" })
        {
            args.AddRange(["--perms", "1777", "--tmpfs", tmp]);
        }

        args.AddRange(["--tmpfs", "/run", "--tmpfs", "/root", "--tmpfs", "/home", "--perms", "0777", "--dir", "/home/user"]);
        args.AddRange(["--bind", hostWorkspace, Workspace, "--chdir", Workspace, "--new-session"]);
        if (root)
        {
            args.AddRange(["--cap-drop", "ALL"]);
            foreach (var capability in RootCapabilities)
            {
                args.AddRange(["--cap-add", capability]);
            }
        }

        return args;
    }
}
