namespace Sandboxes.Providers.Local;

/// <summary>The layout of one sandbox's state directory.</summary>
internal sealed record SandboxPaths(string Dir)
{
    /// <summary>The record, <c>sandbox.json</c>.</summary>
    public string RecordFile => Path.Combine(Dir, "sandbox.json");

    /// <summary>
    /// The agent's run directory in process isolation (inside a namespace sandbox it is a tmpfs of the sandbox's own
    /// at <c>/.sandbox</c>, and nothing of it is on the host).
    /// </summary>
    public string RunDir => Path.Combine(Dir, "run");

    /// <summary>What only the host reads: the jail's arguments, its seccomp filter, the agent script, the launch FIFOs.</summary>
    public string JailDir => Path.Combine(Dir, "jail");

    /// <summary>The FIFO the agent reads job lines from (given to it as a descriptor; the sandbox cannot name it).</summary>
    public string ControlFifo => Path.Combine(JailDir, "ctl");

    /// <summary>Where bubblewrap reports the sandbox's first pid.</summary>
    public string InfoFile => Path.Combine(JailDir, "info.json");

    /// <summary>The launch's error output (bubblewrap's, and the agent's until it is ready).</summary>
    public string LogFile => Path.Combine(JailDir, "launch.log");

    /// <summary>
    /// The sandbox's root as the file API sees it in process isolation (holds <c>workspace</c> and <c>tmp</c>);
    /// in namespace isolation only its <c>workspace</c> is used, bound at <c>/workspace</c>.
    /// </summary>
    public string RootDir => Path.Combine(Dir, "root");

    /// <summary>The workspace, <c>/workspace</c> inside the sandbox.</summary>
    public string WorkspaceDir => Path.Combine(RootDir, "workspace");

    /// <summary>Synthesised /etc files (passwd, group, hostname, hosts).</summary>
    public string EtcDir => Path.Combine(Dir, "etc");
}
