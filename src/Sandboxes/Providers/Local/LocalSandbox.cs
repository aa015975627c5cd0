using System.Collections.Concurrent;
using System.Text;

namespace Sandboxes.Providers.Local;

/// <summary>
/// One local sandbox as this process works with it: its record, its files, its agent. Built from the state directory,
/// so a sandbox created by another process is used exactly like one created here.
/// </summary>
internal sealed class LocalSandbox
{
    public LocalSandbox(LocalSandboxRecord record, SandboxPaths paths)
    {
        Paths = paths;
        Record = record;
        var root = record.Namespaces ? $"/proc/{record.InitPid}/root" : paths.RootDir;
        Files = new SandboxFileSystem(root, ResolveUser);
        Commands = new LocalCommands(this);
    }

    public string Id => Record.Id;

    public LocalSandboxRecord Record
    {
        get => _record;
        set
        {
            _record = value;
            _recordStamp = RecordStamp();
        }
    }

    private LocalSandboxRecord _record = null!;
    private DateTime _recordStamp;

    /// <summary>True when the record file has not changed since <see cref="Record"/> was read.</summary>
    public bool RecordIsCurrent() => RecordStamp() == _recordStamp && _recordStamp != DateTime.MinValue;

    private DateTime RecordStamp()
    {
        try
        {
            return File.GetLastWriteTimeUtc(Paths.RecordFile);
        }
        catch (IOException)
        {
            return DateTime.MinValue;
        }
    }

    public SandboxPaths Paths { get; }

    public SandboxFileSystem Files { get; }

    public LocalCommands Commands { get; }

    /// <summary>Stdin FIFOs this client holds open for background commands, by handle id.</summary>
    public ConcurrentDictionary<string, int> StdinWriters { get; } = new();

    public bool IsAlive => ProcessTable.IsAlive(Record.InitPid, Record.InitStartTime);

    public bool IsPaused => Record.FreezerCgroup is { } f ? SandboxCgroups.IsFrozen(f) : Record.Paused;

    public SandboxStatus Status => !IsAlive ? SandboxStatus.Stopped : IsPaused ? SandboxStatus.Paused : SandboxStatus.Running;

    /// <summary>Throws unless the sandbox's processes still run.</summary>
    public void EnsureAlive()
    {
        if (!IsAlive)
        {
            throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Stopped,
                $"The sandbox {Id} is no longer running (it was killed, reached the end of its lifetime, or the machine restarted).");
        }
    }

    /// <summary>Throws unless commands can start now: running, and not paused.</summary>
    public void EnsureRunnable()
    {
        EnsureAlive();
        if (IsPaused)
        {
            throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Paused,
                $"The sandbox {Id} is paused; resume it before running commands.");
        }
    }

    public JobFiles NewJob()
    {
        var id = LocalStateStore.NewJobId();
        var agentRun = Record.Namespaces ? AgentScript.MountPoint : Paths.RunDir;
        return new JobFiles(id, Path.Combine(Paths.JobsDir, id), agentRun + "/jobs/" + id);
    }

    public JobFiles ExistingJob(string handleId)
    {
        var job = LocalStateStore.IsValidId(handleId) ? NewJobFiles(handleId) : null;
        if (job is null || !Directory.Exists(job.HostDir))
        {
            throw new NotFoundException(LocalProvider.ProviderId, $"The sandbox {Id} has no command with handle '{handleId}'.");
        }

        return job;
    }

    public void RemoveJob(JobFiles job)
    {
        try
        {
            Directory.Delete(job.HostDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Hands a prepared job to the agent.</summary>
    public unsafe void Submit(JobFiles job, string? user)
    {
        var line = job.Id;
        if (user is { Length: > 0 })
        {
            var (uid, gid) = ResolveUser(user);
            line += $" {uid} {gid}";
        }

        var bytes = Encoding.ASCII.GetBytes(line + "\n");
        var fd = LibC.Open(Paths.ControlFifo, LibC.O_WRONLY | LibC.O_NONBLOCK);
        if (fd < 0)
        {
            EnsureAlive();
            throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Error,
                $"The agent of sandbox {Id} is not accepting commands ({LibC.ErrorText(LibC.LastError)}).");
        }

        try
        {
            fixed (byte* p = bytes)
            {
                // Shorter than PIPE_BUF, so the line arrives whole even when several clients submit at once.
                if (LibC.Write(fd, p, (nuint)bytes.Length) != bytes.Length)
                {
                    throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Error,
                        $"Could not hand the command to the agent of sandbox {Id}: {LibC.ErrorText(LibC.LastError)}.");
                }
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Kills a job's whole process tree.</summary>
    public void KillJob(JobFiles job)
    {
        int? sandboxPid = null;
        for (var i = 0; i < 200 && sandboxPid is null; i++)
        {
            sandboxPid = LocalCommands.TryReadInt(job.Pid);
            if (sandboxPid is null)
            {
                if (LocalCommands.TryReadExit(job, out _))
                {
                    return;
                }

                Thread.Sleep(1);
            }
        }

        if (sandboxPid is not { } pid)
        {
            return;
        }

        var process = ProcessTable.SandboxProcesses(Record.InitPid, Record.Namespaces).FirstOrDefault(p => p.SandboxPid == pid);
        if (process is not null)
        {
            ProcessTable.KillTree(Record.InitPid, Record.Namespaces, process.HostPid);
        }
    }

    /// <summary>The processes users started (the agent and the namespace's init are not listed).</summary>
    public IReadOnlyList<ProcessInfo> ListProcesses()
    {
        EnsureAlive();
        var agentRun = Record.Namespaces ? AgentScript.MountPoint : Paths.RunDir;
        var agentCommand = $"{Record.AgentShell} {agentRun}/agent.sh {agentRun}";
        var jobPrefix = $"{Record.AgentShell} {agentRun}/jobs/";
        var jobs = JobsByPid();
        return ProcessTable.SandboxProcesses(Record.InitPid, Record.Namespaces)
            // A job's shell is a forked agent (same command line) or a new shell on the job script; other agent forks
            // are the agent itself and the subshells that wait for jobs, which are not the user's.
            .Where(p => p.HostPid != Record.InitPid && p.State != 'Z' && (p.CommandLine != agentCommand || jobs.ContainsKey(p.SandboxPid)))
            .Select(p =>
            {
                var isJob = jobs.TryGetValue(p.SandboxPid, out var job);
                // A job's shell shows as the command the user gave, not as the script that carries it.
                var isJobShell = p.CommandLine == agentCommand || p.CommandLine.StartsWith(jobPrefix, StringComparison.Ordinal);
                var command = isJob && isJobShell ? job.Command : p.CommandLine;
                return new ProcessInfo(p.SandboxPid, command, SandboxEtc.UserName(p.Uid, PasswdFile)) { HandleId = isJob ? job.Id : null };
            })
            .OrderBy(p => p.Pid)
            .ToList();
    }

    /// <summary>Sends a signal to a process given by its pid inside the sandbox.</summary>
    public void Signal(int sandboxPid, ProcessSignal signal)
    {
        EnsureAlive();
        var process = ProcessTable.SandboxProcesses(Record.InitPid, Record.Namespaces).FirstOrDefault(p => p.SandboxPid == sandboxPid);
        if (process is null || process.HostPid == Record.InitPid)
        {
            throw new NotFoundException(LocalProvider.ProviderId, $"The sandbox {Id} has no process {sandboxPid}.");
        }

        if (LibC.Kill(process.HostPid, (int)signal) != 0 && LibC.LastError != LibC.ESRCH)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, $"pid {sandboxPid}", LibC.ErrorText(LibC.LastError));
        }
    }

    /// <summary>Maps a user name or uid to ids, refusing users the sandbox cannot switch to.</summary>
    public (int Uid, int Gid) ResolveUser(string user)
    {
        var ids = SandboxEtc.ResolveUser(user, PasswdFile)
                  ?? throw new BadConfigException(LocalProvider.ProviderId,
                      $"The sandbox has no user '{user}'. It has root, user (1000) and nobody, or give a numeric uid.");
        if (ids.Uid != 0 && LibC.GetEuid() != 0)
        {
            throw new FeatureNotSupportedException(LocalProvider.ProviderId, Capability.RunAsUser,
                "running as another user needs the host process to be root (an unprivileged host maps only one user into the sandbox).");
        }

        return ids;
    }

    /// <summary>The path a command inside the sandbox uses for a sandbox path (the host path in process isolation).</summary>
    public string CommandPath(string sandboxPath) =>
        Record.Namespaces ? sandboxPath : Path.Combine(Paths.RootDir, sandboxPath.TrimStart('/'));

    private string PasswdFile => Record.Namespaces ? Path.Combine(Paths.EtcDir, "passwd") : "/etc/passwd";

    private JobFiles NewJobFiles(string id)
    {
        var agentRun = Record.Namespaces ? AgentScript.MountPoint : Paths.RunDir;
        return new JobFiles(id, Path.Combine(Paths.JobsDir, id), agentRun + "/jobs/" + id);
    }

    private Dictionary<int, (string Id, string Command)> JobsByPid()
    {
        var map = new Dictionary<int, (string Id, string Command)>();
        if (!Directory.Exists(Paths.JobsDir))
        {
            return map;
        }

        foreach (var dir in Directory.EnumerateDirectories(Paths.JobsDir))
        {
            if (LocalCommands.TryReadInt(Path.Combine(dir, "pid")) is { } pid)
            {
                map[pid] = (Path.GetFileName(dir), JobFiles.ReadCommand(dir));
            }
        }

        return map;
    }
}
