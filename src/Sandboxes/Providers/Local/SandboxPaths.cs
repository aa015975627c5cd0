namespace Sandboxes.Providers.Local;

/// <summary>The layout of one sandbox's state directory.</summary>
internal sealed record SandboxPaths(string Dir)
{
    /// <summary>The record, <c>sandbox.json</c>.</summary>
    public string RecordFile => Path.Combine(Dir, "sandbox.json");

    /// <summary>The agent's run directory, mounted at <c>/.sandbox</c> inside a namespace sandbox.</summary>
    public string RunDir => Path.Combine(Dir, "run");

    /// <summary>One directory per command the agent runs.</summary>
    public string JobsDir => Path.Combine(RunDir, "jobs");

    /// <summary>The control FIFO the agent reads job ids from.</summary>
    public string ControlFifo => Path.Combine(RunDir, "ctl");

    /// <summary>The FIFO the agent writes to once it is ready.</summary>
    public string ReadyFifo => Path.Combine(RunDir, "ready");

    /// <summary>The agent script.</summary>
    public string AgentFile => Path.Combine(RunDir, "agent.sh");

    /// <summary>Where bubblewrap reports the sandbox's first pid.</summary>
    public string InfoFile => Path.Combine(RunDir, "info.json");

    /// <summary>bubblewrap's and the agent's error output.</summary>
    public string LogFile => Path.Combine(RunDir, "agent.log");

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
