using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Starts a sandbox's first process: a bubblewrap jail around the agent (see <see cref="JailLaunch"/>), or the agent
/// alone in process isolation. The process is detached (own session, stdio on files, no parent-death signal) so the
/// sandbox outlives the client that created it, and it is placed in the sandbox's cgroups before it starts anything.
/// </summary>
internal static class SandboxLauncher
{
    private const string SandboxPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The descriptor the agent says ready on (see <see cref="AgentScript"/>).</summary>
    private const int ReadyFd = 4;

    /// <summary>The descriptor bubblewrap reads the agent script from, into the run directory.</summary>
    private const int AgentFd = 7;

    /// <summary>The descriptor the agent reads job lines from (see <see cref="AgentScript"/>).</summary>
    private const int ControlFd = 8;

    /// <summary>Writes the sandbox's files and starts it; returns the host pid of its first process once the agent is ready.</summary>
    /// <param name="options">The provider's settings.</param>
    /// <param name="identity">Which host ids the sandbox's users are.</param>
    /// <param name="paths">The sandbox's state directory.</param>
    /// <param name="record">The sandbox's record.</param>
    /// <param name="bubblewrap">bubblewrap, or null for process isolation.</param>
    /// <param name="cgroupDirs">The cgroups the sandbox joins first.</param>
    /// <param name="readyTimeout">How long the sandbox may take to be ready.</param>
    /// <param name="started">Told the launcher's pid as soon as it runs, so that a client killed from then on leaves something to find it by.</param>
    public static int Launch(LocalOptions options, IdentityMap identity, SandboxPaths paths, LocalSandboxRecord record, string? bubblewrap,
        IReadOnlyList<string> cgroupDirs, TimeSpan readyTimeout, Action<int> started)
    {
        Directory.CreateDirectory(paths.JailDir);
        LibC.Chmod(paths.JailDir, 0x1C0);
        Directory.CreateDirectory(paths.RootDir);
        Directory.CreateDirectory(paths.WorkspaceDir);
        // Every sandbox user may write its workspace; the sticky bit keeps them from removing each other's files. It
        // belongs to the sandbox's root.
        LibC.Chmod(paths.WorkspaceDir, 0x3FF);
        if (identity.RootOwner is { } owner)
        {
            LibC.Chown(paths.WorkspaceDir, owner.Uid, owner.Gid);
        }

        var agentFile = Path.Combine(paths.JailDir, "agent.sh");
        File.WriteAllText(agentFile, AgentScript.Text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        var readyFifo = Path.Combine(paths.JailDir, "ready");
        foreach (var fifo in new[] { readyFifo, paths.ControlFifo })
        {
            File.Delete(fifo);
            if (LibC.MkFifo(fifo, 0x180) != 0)
            {
                throw new SandboxIOException(LocalProvider.ProviderId, fifo, LibC.ErrorText(LibC.LastError));
            }
        }

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = paths.WorkspaceDir };
        start.Environment.Clear();
        start.Environment["PATH"] = SandboxPath;
        start.Environment["SBX_CGROUPS"] = string.Join(' ', cgroupDirs.Select(d => Path.Combine(d, "cgroup.procs")));
        start.Environment["SBX_LOG"] = paths.LogFile;
        start.Environment["SBX_INFO"] = paths.InfoFile;
        start.Environment["SBX_READY"] = readyFifo;
        start.Environment["SBX_AGENT"] = agentFile;
        start.Environment["SBX_CTL"] = paths.ControlFifo;
        start.ArgumentList.Add("-c");
        // Joins the cgroups first, so that everything the sandbox ever starts is counted and can be frozen or killed.
        // .NET ignores SIGPIPE and its children inherit that; a shell cannot undo a signal ignored when it started, so
        // without the reset every command in the sandbox would see EPIPE instead of dying quietly (`yes | head -1`).
        start.ArgumentList.Add($$"""
            for p in $SBX_CGROUPS; do echo $$ >"$p" || exit 97; done
            unset SBX_CGROUPS
            exec {{AgentScript.ResetSignalsCommand}} setsid "$@" </dev/null >>"$SBX_LOG" 2>&1 3>"$SBX_INFO" 4>"$SBX_READY" 7<"$SBX_AGENT" 8<>"$SBX_CTL"
            """);
        start.ArgumentList.Add("sandbox-launcher");
        JailLaunch? jail = null;
        if (bubblewrap is null)
        {
            // Process isolation: the agent runs on the host in the sandbox's directory with a clean environment, as the
            // sandbox's unprivileged user when this process is root.
            Directory.CreateDirectory(Path.Combine(paths.RunDir, "jobs"));
            File.Copy(agentFile, Path.Combine(paths.RunDir, "agent.sh"), overwrite: true);
            LibC.Chmod(paths.RunDir, 0x1C0);
            if (identity.RootOwner is { } runOwner)
            {
                LibC.Chown(paths.RunDir, runOwner.Uid, runOwner.Gid);
                LibC.Chown(Path.Combine(paths.RunDir, "jobs"), runOwner.Uid, runOwner.Gid);
            }

            foreach (var (key, value) in BaseEnvironment(record, paths.WorkspaceDir))
            {
                start.Environment[key] = value;
            }

            if (identity.Mapped)
            {
                Add(start, ["setpriv", $"--reuid={identity.HostUid}", $"--regid={identity.HostGid}", "--clear-groups",
                    "--no-new-privs", .. JailCapabilities.SetprivArguments(keep: false), "--"]);
            }

            Add(start, [record.AgentShell, paths.RunDir + "/agent.sh", paths.RunDir]);
        }
        else
        {
            // A filtered sandbox resolves names through slirp4netns's forwarder, also when only allowed hosts are reachable.
            SandboxEtc.Write(paths.EtcDir, record.Id, record.Filtered ? NetworkPolicy.Internet : record.Network);
            var spec = new JailSpec
            {
                Bubblewrap = bubblewrap,
                Identity = identity,
                Hostname = record.Id,
                ShareNetwork = record.Network == NetworkPolicy.All,
                EtcView = EtcView.Ensure(options.StateRoot),
                EtcFiles = EtcView.PerSandboxFiles.ToDictionary(f => f, f => Path.Combine(paths.EtcDir, f)),
                WritableDirectories = [(paths.WorkspaceDir, "/workspace")],
                // The run directory is a tmpfs of the sandbox's own: bounded, gone with the sandbox, never on the host.
                Tmpfs = [(AgentScript.MountPoint, options.RunDirectoryBytes, 0x1ED)],
                DataFiles = [(AgentFd, AgentScript.MountPoint + "/agent.sh", 0x16D)],
                Directories = [(AgentScript.MountPoint + "/jobs", 0x1ED)],
                WorkingDirectory = "/workspace",
                Environment = BaseEnvironment(record, "/root"),
                ReportPid = true,
                InheritedDescriptors = [BubblewrapArguments.InfoFd, ReadyFd, AgentFd, ControlFd],
            };
            jail = JailLaunch.Prepare(LocalProvider.ProviderId, spec, paths.JailDir,
                [record.AgentShell, AgentScript.MountPoint + "/agent.sh", AgentScript.MountPoint]);
            Add(start, jail.Command);
        }

        // The ready FIFO is opened before the agent starts, so its one line cannot be missed.
        var readyFd = LibC.Open(readyFifo, LibC.O_RDONLY | LibC.O_NONBLOCK);
        if (readyFd < 0)
        {
            jail?.Dispose();
            throw new SandboxIOException(LocalProvider.ProviderId, readyFifo, LibC.ErrorText(LibC.LastError));
        }

        try
        {
            using var process = Process.Start(start)
                                ?? throw new ProviderException(LocalProvider.ProviderId, "Could not start the sandbox process.");
            started(process.Id);
            jail?.Complete(() => process.HasExited, readyTimeout);
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
        catch (ProviderException e) when (jail is not null)
        {
            var log = ReadLog(paths.LogFile);
            throw log.Length > 0 && !e.Message.Contains(log, StringComparison.Ordinal)
                ? new ProviderException(LocalProvider.ProviderId, e.Message + " " + log)
                : e;
        }
        finally
        {
            jail?.Dispose();
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

    private static void Add(ProcessStartInfo start, IEnumerable<string> arguments)
    {
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
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
