namespace Sandboxes.Providers.Local;

/// <summary>The files of one job in the agent's run directory, as the host sees them and as the agent does.</summary>
internal sealed record JobFiles(string Id, string HostDir, string AgentDir)
{
    public string Run => Path.Combine(HostDir, "run");

    public string Stdin => Path.Combine(HostDir, "stdin");

    public string Stdout => Path.Combine(HostDir, "stdout");

    public string Stderr => Path.Combine(HostDir, "stderr");

    public string Status => Path.Combine(HostDir, "status");

    public string Exit => Path.Combine(HostDir, "exit");

    public string Pid => Path.Combine(HostDir, "pid");

    /// <summary>The line in <see cref="Run"/> after which the user's command follows, as given.</summary>
    public const string CommandMarker = "# command:";

    /// <summary>The command line as the user gave it, read back from the job script (empty when unreadable).</summary>
    public static string ReadCommand(string hostDir)
    {
        try
        {
            var script = File.ReadAllText(Path.Combine(hostDir, "run"));
            var at = script.IndexOf(CommandMarker + "\n", StringComparison.Ordinal);
            return at < 0 ? string.Empty : script[(at + CommandMarker.Length + 1)..].TrimEnd('\n');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Set when the client killed the job for its timeout, so every client reports a timeout, not an exit code.</summary>
    public string TimedOut => Path.Combine(HostDir, "timed-out");

    /// <summary>The OOM-kill count of the sandbox when the job started.</summary>
    public string OomBaseline => Path.Combine(HostDir, "oom-baseline");

    /// <summary>The timeout the job was started with, for clients that wait on it later.</summary>
    public string Timeout => Path.Combine(HostDir, "timeout");
}
