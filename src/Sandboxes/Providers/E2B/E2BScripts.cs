using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Sandboxes.Providers.Local;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// The shell scripts the adapter runs through envd where envd itself has no call for the job: background commands that
/// keep their output and exit status in files any client can follow, a follower for them, a watchdog that enforces a
/// background command's timeout when no client is there, and a process-tree killer (envd signals one process only).
/// Every value spliced into a script is a validated tag, a number or a single-quoted string.
/// </summary>
internal static partial class E2BScripts
{
    /// <summary>Where background commands keep their files: one directory per command, named by its handle id.</summary>
    public const string CommandRoot = "/tmp/.sandboxes/commands";

    /// <summary>The line after which a background script holds the user's command, as given.</summary>
    public const string CommandMarker = "# sandboxes: the command follows, run as ";

    // Collects the descendants of a process from /proc, stopping each as it is found so that none can fork away, then
    // kills them all. Pure bash and /proc: it needs nothing the sandbox's image might lack.
    private const string KillTreeFunction = """
        sbx_kill_tree() {
          local all=" $1 " more=1 f s p
          kill -STOP "$1" 2>/dev/null
          while [ "$more" = 1 ]; do
            more=0
            for f in /proc/[0-9]*/stat; do
              read -r s 2>/dev/null < "$f" || continue
              p=${f#/proc/}; p=${p%/stat}
              [ "$p" = "$BASHPID" ] && continue
              s=${s##*) }
              set -- $s
              case "$all" in
                *" $p "*) ;;
                *" $2 "*) all="$all$p "; more=1; kill -STOP "$p" 2>/dev/null ;;
              esac
            done
          done
          kill -KILL $all 2>/dev/null
          return 0
        }

        """;

    /// <summary>A fresh handle id for a background command (also its envd tag and the name of its directory).</summary>
    public static string NewHandleId() => "sbx-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>True for a handle id this adapter issues; only those name files, so no other text reaches a script.</summary>
    public static bool IsHandleId(string handleId) => HandleIdPattern().IsMatch(handleId);

    /// <summary>The directory of a background command.</summary>
    public static string CommandDir(string handleId) => CommandRoot + "/" + handleId;

    /// <summary>
    /// Runs <paramref name="command"/> as a background command: its pid, stdout, stderr and exit status go to files
    /// under <see cref="CommandDir"/>, so that any client can follow it from its first byte, wait for it, or read how
    /// it ended after it is gone. The script's own process is the command's shell: signals sent to its pid reach it.
    /// </summary>
    public static string Background(string handleId, string user, string command)
    {
        var dir = ShellQuote.Quote(CommandDir(handleId));
        return new StringBuilder()
            .Append("mkdir -p -m 1777 /tmp/.sandboxes ").Append(CommandRoot).Append(" 2>/dev/null\n")
            .Append("mkdir -m 755 ").Append(dir).Append(" || exit 125\n")
            .Append("echo $$ > ").Append(dir).Append("/pid\n")
            .Append("exec > ").Append(dir).Append("/stdout 2> ").Append(dir).Append("/stderr\n")
            .Append("trap 'echo $? > ").Append(dir).Append("/exit' EXIT\n")
            .Append(CommandMarker).Append(user).Append('\n')
            .Append(command)
            .ToString();
    }

    /// <summary>
    /// Prints a background command's stdout and stderr from their first byte and follows them until the command's
    /// process is gone (tail checks every 50 ms).
    /// </summary>
    public static string Follow(string handleId)
    {
        var dir = ShellQuote.Quote(CommandDir(handleId));
        return new StringBuilder()
            .Append("i=0; while [ ! -s ").Append(dir).Append("/pid ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done\n")
            .Append("p=$(cat ").Append(dir).Append("/pid 2>/dev/null); [ -n \"$p\" ] || exit 0\n")
            .Append("tail -q -c +1 -s 0.05 -F --pid=\"$p\" ").Append(dir).Append("/stdout 2>/dev/null & a=$!\n")
            .Append("tail -q -c +1 -s 0.05 -F --pid=\"$p\" ").Append(dir).Append("/stderr >&2 2>/dev/null & b=$!\n")
            .Append("wait \"$a\" \"$b\"\n")
            .ToString();
    }

    /// <summary>
    /// Enforces a background command's timeout whoever is connected: after <paramref name="seconds"/>, if the command's
    /// process (the same one: its start time is checked, pids are reused) has not recorded an exit, records the timeout
    /// and kills its process tree.
    /// </summary>
    public static string Watchdog(string handleId, int pid, double seconds)
    {
        var dir = ShellQuote.Quote(CommandDir(handleId));
        var p = pid.ToString(CultureInfo.InvariantCulture);
        return new StringBuilder(KillTreeFunction)
            .Append("read -r s 2>/dev/null < /proc/").Append(p).Append("/stat || exit 0\n")
            .Append("s=${s##*) }; set -- $s; born=${20}\n")
            .Append("sleep ").Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n')
            .Append("[ -e ").Append(dir).Append("/exit ] && exit 0\n")
            .Append("read -r s 2>/dev/null < /proc/").Append(p).Append("/stat || exit 0\n")
            .Append("s=${s##*) }; set -- $s; [ \"${20}\" = \"$born\" ] || exit 0\n")
            .Append("(set -C; echo 'timeout ").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append("' > ").Append(dir).Append("/end) 2>/dev/null\n")
            .Append("sbx_kill_tree ").Append(p).Append('\n')
            .ToString();
    }

    /// <summary>Kills a process and every process it started.</summary>
    public static string KillTree(int pid) =>
        KillTreeFunction + "sbx_kill_tree " + pid.ToString(CultureInfo.InvariantCulture) + "\n";

    /// <summary>Sends a signal envd's SendSignal does not offer (it has only SIGTERM and SIGKILL).</summary>
    public static string Signal(int pid, int signal) =>
        "kill -s " + signal.ToString(CultureInfo.InvariantCulture) + " " + pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sets a file's permission bits (envd's upload takes no mode).</summary>
    public static string Chmod(string path, int mode) =>
        "chmod " + Convert.ToString(mode, 8) + " -- " + ShellQuote.Quote(path);

    /// <summary>Reads the user's command and user back from a background script, as envd's process list returns it.</summary>
    public static bool TryReadBackground(string script, out string command, out string user)
    {
        var marker = script.IndexOf(CommandMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            command = user = string.Empty;
            return false;
        }

        var lineEnd = script.IndexOf('\n', marker);
        user = script[(marker + CommandMarker.Length)..(lineEnd < 0 ? script.Length : lineEnd)];
        command = lineEnd < 0 ? string.Empty : script[(lineEnd + 1)..];
        return true;
    }

    [GeneratedRegex(@"^sbx-[0-9a-f]{16}\z")]
    private static partial Regex HandleIdPattern();
}
