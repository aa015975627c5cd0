using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// One local sandbox as this process works with it: its record, its files, its agent. Built from the state directory,
/// so a sandbox created by another process is used exactly like one created here.
/// </summary>
/// <remarks>
/// Everything of the agent's protocol is in the run directory, which the sandbox can write: it is reached only through
/// <see cref="OpenRunDirectory"/>, a <see cref="ConfinedDirectory"/>, so nothing planted there is followed or trusted.
/// </remarks>
internal sealed class LocalSandbox
{
    /// <summary>How long handing a job to a busy or paused agent may take before the command fails.</summary>
    private static readonly TimeSpan SubmitTimeout = TimeSpan.FromSeconds(10);

    public LocalSandbox(LocalSandboxRecord record, SandboxPaths paths)
    {
        Paths = paths;
        Record = record;
        Identity = IdentityMap.FromBase(record.IdBase);
        Files = new SandboxFileSystem(OpenRoot, Identity.RootOwner, ResolveHostOwner);
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

    /// <summary>Which host ids the sandbox's users are.</summary>
    public IdentityMap Identity { get; }

    public SandboxFileSystem Files { get; }

    public LocalCommands Commands { get; }

    /// <summary>Stdin FIFOs this client holds open for background commands, by handle id.</summary>
    public ConcurrentDictionary<string, int> StdinWriters { get; } = new();

    public bool IsAlive => ProcessTable.IsAlive(Record.InitPid, Record.InitStartTime);

    public bool IsPaused => Record.FreezerCgroup is { } f ? SandboxCgroups.IsFrozen(f) : Record.Paused;

    public SandboxStatus Status => !IsAlive ? SandboxStatus.Stopped : IsPaused ? SandboxStatus.Paused : SandboxStatus.Running;

    /// <summary>The run directory as the agent sees it.</summary>
    public string AgentRunDir => Record.Namespaces ? AgentScript.MountPoint : Paths.RunDir;

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

    /// <summary>The sandbox's root as a descriptor (the caller closes it).</summary>
    public int OpenRoot() =>
        Record.Namespaces
            ? SandboxRoot.Open(Id, Record.InitPid, Record.InitStartTime)
            : LibC.Open(Paths.RootDir, LibC.O_PATH | LibC.O_DIRECTORY) is var fd and >= 0 ? fd
            : throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Stopped, $"The files of sandbox {Id} are gone.");

    /// <summary>The agent's run directory, for one operation (the caller disposes it).</summary>
    public ConfinedDirectory OpenRunDirectory() =>
        Record.Namespaces
            ? SandboxRoot.OpenRunDirectory(Id, Record.InitPid, Record.InitStartTime)
            : ConfinedDirectory.TryOpen(LocalProvider.ProviderId, Paths.RunDir)
              ?? throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Stopped, $"The run directory of sandbox {Id} is gone.");

    public JobFiles NewJob() => JobFor(LocalStateStore.NewJobId());

    /// <summary>The job of a handle, which must exist.</summary>
    public JobFiles ExistingJob(ConfinedDirectory run, string handleId)
    {
        var job = LocalStateStore.IsValidId(handleId) ? JobFor(handleId) : null;
        if (job is null || run.Stat(job.Dir) is not { } st || (st.Mode & LibC.S_IFMT) != LibC.S_IFDIR)
        {
            throw new NotFoundException(LocalProvider.ProviderId, $"The sandbox {Id} has no command with handle '{handleId}'.");
        }

        return job;
    }

    /// <summary>Removes a job's files (best effort: the sandbox may have made them hard to remove).</summary>
    public static void RemoveJob(ConfinedDirectory run, JobFiles job) => run.RemoveTree(job.Dir);

    /// <summary>Hands a prepared job to the agent through the control FIFO.</summary>
    public unsafe void Submit(JobFiles job, (int Uid, int Gid)? user, CancellationToken cancellationToken)
    {
        var line = job.Id;
        if (user is { } ids)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" {ids.Uid} {ids.Gid}");
        }

        // Shorter than PIPE_BUF, so the line arrives whole even when several clients submit at once.
        var bytes = Encoding.ASCII.GetBytes(line + "\n");
        // The control FIFO is the host's (the agent holds it as a descriptor); non-blocking: a full pipe is waited on below.
        var fd = LibC.Open(Paths.ControlFifo, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW);
        if (fd < 0)
        {
            var error = LibC.LastError;
            EnsureAlive();
            throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Error,
                $"The agent of sandbox {Id} is not accepting commands ({LibC.ErrorText(error)}).");
        }

        try
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(SubmitTimeout.TotalSeconds * Stopwatch.Frequency);
            fixed (byte* p = bytes)
            {
                while (true)
                {
                    var n = LibC.Write(fd, p, (nuint)bytes.Length);
                    if (n == bytes.Length)
                    {
                        return;
                    }

                    // A full pipe (a stopped or flooded agent) is waited on, within bounds; anything else is an error.
                    if (n >= 0 || LibC.LastError is not (LibC.EAGAIN or LibC.EINTR) || Stopwatch.GetTimestamp() > deadline)
                    {
                        throw new SandboxStateException(LocalProvider.ProviderId, Id, SandboxStatus.Error,
                            $"Could not hand the command to the agent of sandbox {Id}: {(n >= 0 ? "short write" : LibC.ErrorText(LibC.LastError))}.");
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    var poll = new LibC.PollFd { Fd = fd, Events = 0x4 /* POLLOUT */ };
                    LibC.Poll(&poll, 1, 20);
                }
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Reads a job's pid (in the sandbox's pid namespace), or null before it is written.</summary>
    public static int? ReadPid(ConfinedDirectory run, JobFiles job) => ReadInt(run, job.Pid);

    /// <summary>Reads a small integer file of the run directory, or null.</summary>
    public static int? ReadInt(ConfinedDirectory run, string relative) =>
        run.ReadSmallText(relative, 32) is { } text && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>Kills a job's whole process tree.</summary>
    public void KillJob(JobFiles job)
    {
        ConfinedDirectory run;
        try
        {
            run = OpenRunDirectory();
        }
        catch (SandboxException)
        {
            return; // the sandbox is gone, and its processes with it
        }

        using (run)
        {
            int? sandboxPid = null;
            for (var i = 0; i < 200 && sandboxPid is null; i++)
            {
                sandboxPid = ReadPid(run, job);
                if (sandboxPid is null)
                {
                    if (LocalCommands.TryReadExit(run, job, out _))
                    {
                        return;
                    }

                    Thread.Sleep(1);
                }
            }

            if (sandboxPid is not { } pid || pid <= 1)
            {
                return;
            }

            var process = ProcessTable.SandboxProcesses(Record.InitPid, Record.Namespaces).FirstOrDefault(p => p.SandboxPid == pid);
            if (process is not null && process.HostPid != Record.InitPid)
            {
                ProcessTable.KillTree(Record.InitPid, Record.Namespaces, process.HostPid);
            }
        }
    }

    /// <summary>The processes users started (the agent and the namespace's init are not listed).</summary>
    public IReadOnlyList<ProcessInfo> ListProcesses()
    {
        EnsureAlive();
        var agentCommand = $"{Record.AgentShell} {AgentRunDir}/agent.sh {AgentRunDir}";
        var jobPrefix = $"{Record.AgentShell} {AgentRunDir}/jobs/";
        Dictionary<int, (string Id, string Command)> jobs;
        using (var run = OpenRunDirectory())
        {
            jobs = JobsByPid(run);
        }

        var passwd = PasswdFile;
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
                return new ProcessInfo(p.SandboxPid, command, SandboxEtc.UserName(Identity.ToSandbox(p.Uid), passwd)) { HandleId = isJob ? job.Id : null };
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

    /// <summary>Maps a user name or uid to the sandbox's ids, refusing users the sandbox cannot switch to.</summary>
    public (int Uid, int Gid) ResolveUser(string user)
    {
        var ids = SandboxEtc.ResolveUser(user, PasswdFile)
                  ?? throw new BadConfigException(LocalProvider.ProviderId,
                      $"The sandbox has no user '{user}'. It has root, user (1000) and nobody, or give a numeric uid.");
        if (ids.Uid != 0 && !(Identity.Mapped && Record.Namespaces))
        {
            throw new FeatureNotSupportedException(LocalProvider.ProviderId, Capability.RunAsUser,
                "running as another user needs a namespace sandbox created by a root client (an unprivileged client, or process isolation, has only one user).");
        }

        if (ids.Uid >= IdentityMap.Size || ids.Gid >= IdentityMap.Size)
        {
            throw new BadConfigException(LocalProvider.ProviderId, $"The sandbox's ids go up to {IdentityMap.Size - 1}; '{user}' is outside them.");
        }

        return ids;
    }

    /// <summary>The host ids that own a file the client writes for <paramref name="user"/>.</summary>
    public (int Uid, int Gid) ResolveHostOwner(string user)
    {
        var (uid, gid) = ResolveUser(user);
        return Identity.ToHost(uid, gid);
    }

    /// <summary>The path a command inside the sandbox uses for a sandbox path (the host path in process isolation).</summary>
    public string CommandPath(string sandboxPath) =>
        Record.Namespaces ? sandboxPath : Path.Combine(Paths.RootDir, sandboxPath.TrimStart('/'));

    private string PasswdFile => Record.Namespaces ? Path.Combine(Paths.EtcDir, "passwd") : "/etc/passwd";

    private JobFiles JobFor(string id) => new(id, AgentRunDir + "/jobs/" + id);

    private static Dictionary<int, (string Id, string Command)> JobsByPid(ConfinedDirectory run)
    {
        var map = new Dictionary<int, (string Id, string Command)>();
        foreach (var id in run.ListNames("jobs"))
        {
            if (LocalStateStore.IsValidId(id) && ReadInt(run, "jobs/" + id + "/pid") is { } pid)
            {
                map[pid] = (id, JobFiles.ReadCommand(run, id));
            }
        }

        return map;
    }
}
