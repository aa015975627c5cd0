using System.Text.Json;

namespace Sandboxes.Cli.Tests.Harness;

/// <summary>What the run left behind: sandboxes and snapshots the tool still lists, state entries, and processes.</summary>
public static class LeakCheck
{
    /// <summary>Describes every leftover of this run.</summary>
    public static async Task<List<string>> FindAsync()
    {
        var leaks = new List<string>();
        var list = await CliTool.RunAsync("list", "-p", "local", "--json");
        leaks.AddRange(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(e => "sandbox " + e.GetProperty("id").GetString()));
        var snapshots = await CliTool.RunAsync("snapshot", "--list", "-p", "local", "--json");
        leaks.AddRange(JsonDocument.Parse(snapshots.Stdout).RootElement.EnumerateArray().Select(e => "snapshot " + e.GetProperty("id").GetString()));

        var sandboxesDir = Path.Combine(CliTestEnvironment.StateDir, "local", "sandboxes");
        if (Directory.Exists(sandboxesDir))
        {
            leaks.AddRange(Directory.EnumerateDirectories(sandboxesDir).Select(d => "state entry " + Path.GetFileName(d)));
        }

        // Processes: sandbox processes, tools still running, tmux servers: anything pointing into the run's state directory.
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget ?? string.Empty;
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (cmdline.Contains(CliTestEnvironment.StateDir, StringComparison.Ordinal) || cwd.StartsWith(CliTestEnvironment.StateDir, StringComparison.Ordinal)
                    || environ.Contains("SANDBOXES_STATE_DIR=" + CliTestEnvironment.StateDir + "\0", StringComparison.Ordinal))
                {
                    leaks.Add($"process {pid}: {cmdline.Trim()}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return leaks;
    }
}
