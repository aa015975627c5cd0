using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Starts a sandbox's first process: bubblewrap building the namespaces around the agent, or the agent alone in process
/// isolation. The process is detached (own session, stdio on files, no parent-death signal) so the sandbox outlives
/// the client that created it, and it is placed in the sandbox's cgroups before it starts anything.
/// </summary>
internal static class SandboxLauncher
{
    private const string SandboxPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // Capabilities root keeps inside a sandbox (without a user namespace): enough to own files and switch users, not
    // enough to mount, load modules, trace or reconfigure the network.
    private static readonly string[] RootCapabilities =
        ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"];

    /// <summary>Writes the sandbox's files and starts it; returns the host pid of its first process once the agent is ready.</summary>
    public static int Launch(string stateRoot, string? runtimeRoot, SandboxPaths paths, LocalSandboxRecord record, string? bubblewrap,
        IReadOnlyList<string> cgroupDirs, TimeSpan readyTimeout)
    {
        RuntimeDirectory.Create(paths.RunDir, runtimeRoot);
        Directory.CreateDirectory(paths.JobsDir);
        Directory.CreateDirectory(paths.WorkspaceDir);
        // Every sandbox user may write its workspace; the sticky bit keeps them from removing each other's files.
        LibC.Chmod(paths.WorkspaceDir, 0x3FF);
        File.WriteAllText(paths.AgentFile, AgentScript.Text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        MakeFifo(paths.ControlFifo);
        MakeFifo(paths.ReadyFifo);
        var agentRunDir = bubblewrap is null ? paths.RunDir : AgentScript.MountPoint;

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = paths.WorkspaceDir };
        start.Environment.Clear();
        start.Environment["PATH"] = SandboxPath;
        start.Environment["SBX_CGROUPS"] = string.Join(' ', cgroupDirs.Select(d => Path.Combine(d, "cgroup.procs")));
        start.Environment["SBX_LOG"] = paths.LogFile;
        start.Environment["SBX_INFO"] = paths.InfoFile;
        start.ArgumentList.Add("-c");
        // Joins the cgroups first, so that everything the sandbox ever starts is counted and can be frozen or killed.
        // .NET ignores SIGPIPE and its children inherit that; a shell cannot undo a signal ignored when it started, so
        // without the reset every command in the sandbox would see EPIPE instead of dying quietly (`yes | head -1`).
        start.ArgumentList.Add($$"""
            for p in $SBX_CGROUPS; do echo $$ >"$p" || exit 97; done
            unset SBX_CGROUPS
            exec {{AgentScript.ResetSignalsCommand}} setsid "$@" </dev/null >>"$SBX_LOG" 2>&1 3>"$SBX_INFO"
            """);
        start.ArgumentList.Add("sandbox-launcher");
        if (bubblewrap is null)
        {
            // Process isolation: the agent runs on the host with a clean environment in the workspace.
            foreach (var (key, value) in BaseEnvironment(record, paths.WorkspaceDir))
            {
                start.Environment[key] = value;
            }

            start.ArgumentList.Add(record.AgentShell);
            start.ArgumentList.Add(paths.AgentFile);
            start.ArgumentList.Add(agentRunDir);
        }
        else
        {
            SandboxEtc.Write(paths.EtcDir, record.Id, record.Network);
            foreach (var arg in BubblewrapArguments(bubblewrap, stateRoot, paths, record))
            {
                start.ArgumentList.Add(arg);
            }
        }

        // The ready FIFO is opened before the agent starts, so its one line cannot be missed.
        var readyFd = LibC.Open(paths.ReadyFifo, LibC.O_RDONLY | LibC.O_NONBLOCK);
        if (readyFd < 0)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, paths.ReadyFifo, LibC.ErrorText(LibC.LastError));
        }

        try
        {
            using var process = Process.Start(start)
                                ?? throw new ProviderException(LocalProvider.ProviderId, "Could not start the sandbox process.");
            var line = WaitForLine(readyFd, process, readyTimeout);
            if (line is null)
            {
                var log = ReadLog(paths.LogFile);
                throw new ProviderException(LocalProvider.ProviderId,
                    "The sandbox did not start" + (log.Length > 0 ? ": " + log : " in time."));
            }

            if (bubblewrap is null)
            {
                return process.Id;
            }

            var info = JsonSerializer.Deserialize(File.ReadAllBytes(paths.InfoFile), LocalJsonContext.Default.BubblewrapInfo);
            return info?.ChildPid is > 0 ? info.ChildPid
                : throw new ProviderException(LocalProvider.ProviderId, "bubblewrap did not report the sandbox's pid.");
        }
        finally
        {
            LibC.Close(readyFd);
        }
    }

    /// <summary>The environment every command of the sandbox starts from.</summary>
    public static Dictionary<string, string> BaseEnvironment(LocalSandboxRecord record, string home)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = SandboxPath,
            ["HOME"] = home,
            ["LANG"] = "C.UTF-8",
            ["SANDBOX_ID"] = record.Id,
        };
        foreach (var (key, value) in record.Envs)
        {
            env[key] = value;
        }

        return env;
    }

    private static List<string> BubblewrapArguments(string bubblewrap, string stateRoot, SandboxPaths paths, LocalSandboxRecord record)
    {
        var args = new List<string> { bubblewrap };
        var root = LibC.GetEuid() == 0;
        if (!root)
        {
            args.Add("--unshare-user");
        }

        args.AddRange(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]);
        if (record.Network != NetworkPolicy.All)
        {
            args.Add("--unshare-net");
        }

        args.AddRange(["--hostname", record.Id, "--ro-bind", "/usr", "/usr"]);
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

        // The shared /etc view with one mount, then the few files that differ per sandbox over it.
        args.AddRange(["--ro-bind", EtcView.Ensure(stateRoot), "/etc", "--perms", "0755", "--dir", "/var"]);
        foreach (var own in EtcView.PerSandboxFiles)
        {
            args.AddRange(["--ro-bind", Path.Combine(paths.EtcDir, own), "/etc/" + own]);
        }

        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        foreach (var tmp in new[] { "/tmp", "/var/tmp" })
        {
            args.AddRange(["--perms", "1777", "--tmpfs", tmp]);
        }

        args.AddRange(["--tmpfs", "/run", "--tmpfs", "/root", "--tmpfs", "/home", "--perms", "0777", "--dir", "/home/user"]);
        args.AddRange(["--bind", paths.WorkspaceDir, "/workspace", "--bind", paths.RunDir, AgentScript.MountPoint]);
        args.AddRange(["--chdir", "/workspace", "--new-session", "--info-fd", "3", "--clearenv"]);
        foreach (var (key, value) in BaseEnvironment(record, "/root"))
        {
            args.AddRange(["--setenv", key, value]);
        }

        if (root)
        {
            args.AddRange(["--cap-drop", "ALL"]);
            foreach (var capability in RootCapabilities)
            {
                args.AddRange(["--cap-add", capability]);
            }
        }

        args.AddRange([record.AgentShell, AgentScript.MountPoint + "/agent.sh", AgentScript.MountPoint]);
        return args;
    }

    /// <summary>Waits for a line on a non-blocking FIFO, giving up when the process exits first or time runs out.</summary>
    private static unsafe string? WaitForLine(int fd, Process process, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var text = new StringBuilder();
        var buffer = stackalloc byte[256];
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var poll = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
            LibC.Poll(&poll, 1, 20);
            if ((poll.Revents & LibC.POLLIN) != 0)
            {
                var n = LibC.Read(fd, buffer, 256);
                if (n > 0)
                {
                    text.Append(Encoding.UTF8.GetString(buffer, (int)n));
                    if (text.ToString().Contains('\n', StringComparison.Ordinal))
                    {
                        return text.ToString().Trim();
                    }
                }
            }
            else if (process.HasExited)
            {
                return null;
            }
        }

        return null;
    }

    private static void MakeFifo(string path)
    {
        if (LibC.MkFifo(path, 0x180) != 0 && LibC.LastError != LibC.EEXIST)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, path, LibC.ErrorText(LibC.LastError));
        }
    }

    private static string ReadLog(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 2000 ? text[^2000..] : text;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
