using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// The files of one job: their names relative to the run directory (how the host reaches them, through a
/// <see cref="ConfinedDirectory"/>) and the job's directory as the agent sees it (in the scripts it runs).
/// </summary>
internal sealed record JobFiles(string Id, string AgentDir)
{
    /// <summary>The job's directory, relative to the run directory.</summary>
    public string Dir => "jobs/" + Id;

    public string Run => Dir + "/run";

    public string Stdin => Dir + "/stdin";

    public string Stdout => Dir + "/stdout";

    public string Stderr => Dir + "/stderr";

    public string Status => Dir + "/status";

    public string Exit => Dir + "/exit";

    public string Pid => Dir + "/pid";

    /// <summary>Set when the client killed the job for its timeout, so every client reports a timeout, not an exit code.</summary>
    public string TimedOut => Dir + "/timed-out";

    /// <summary>The OOM-kill count of the sandbox when the job started.</summary>
    public string OomBaseline => Dir + "/oom-baseline";

    /// <summary>The timeout the job was started with, for clients that wait on it later.</summary>
    public string Timeout => Dir + "/timeout";

    /// <summary>The line in <see cref="Run"/> after which the user's command follows, as given.</summary>
    public const string CommandMarker = "# command:";

    /// <summary>The longest job script read back for a process listing.</summary>
    private const int MaxScriptBytes = 1 << 20;

    /// <summary>The command line as the user gave it, read back from the job script (empty when unreadable).</summary>
    public static string ReadCommand(ConfinedDirectory run, string jobId)
    {
        var script = run.ReadSmallText("jobs/" + jobId + "/run", MaxScriptBytes) ?? string.Empty;
        var at = script.IndexOf(CommandMarker + "\n", StringComparison.Ordinal);
        return at < 0 ? string.Empty : script[(at + CommandMarker.Length + 1)..].TrimEnd('\n');
    }
}
