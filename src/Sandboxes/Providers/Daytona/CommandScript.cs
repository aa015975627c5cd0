using System.Globalization;
using System.Text;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// The POSIX shell script a foreground command is wrapped in for <c>/process/execute</c>. Daytona's daemon mixes stdout and
/// stderr there, and its whole-second timeouts kill without output. The script fixes both: the user's command travels
/// base64-encoded, is written to a file and run by <c>sh -c</c> (so that process lists show it) in a process group of its
/// own (<c>setsid</c>), with a watchdog that kills the whole group at the deadline; its stdout and stderr are kept in files
/// and printed base64-encoded after the exit, between <c>out</c> and <c>err</c> control lines, so both arrive exact and
/// apart in the one combined text. The script reports through control lines (<c>\x1fsbx:NONCE {json}</c>, the same shape
/// as the code drivers') on stdout. Needs <c>sh</c>, <c>base64</c>, <c>mktemp</c>, <c>setsid</c> and <c>sleep</c> in the
/// image, as Daytona's images have.
/// </summary>
internal static class CommandScript
{
    /// <summary>Builds the script.</summary>
    /// <param name="nonce">The control lines' nonce.</param>
    /// <param name="request">The command, its directory, environment, stdin and timeout.</param>
    /// <exception cref="BadConfigException">An environment variable name is not valid.</exception>
    public static string Build(string nonce, RunCommandRequest request)
    {
        var s = new StringBuilder();
        // A subshell: /process/execute pipes the script into sh's stdin, which must be read whole before anything runs.
        s.Append("(\n");
        s.Append("n=").Append(nonce).Append('\n');
        s.Append("say() { printf '\\037sbx:%s %s\\n' \"$n\" \"$1\"; }\n");
        s.Append("d=$(mktemp -d \"${TMPDIR:-/tmp}/sbx.XXXXXX\") || exit 125\n");
        s.Append("trap 'rm -rf \"$d\"' EXIT\n");
        if (!string.IsNullOrEmpty(request.Cwd))
        {
            s.Append("cd -- ").Append(ShellQuote.Quote(request.Cwd)).Append(" 2>/dev/null || { say '{\"t\":\"cwd\"}'; exit 126; }\n");
        }

        foreach (var (name, value) in request.Env ?? new Dictionary<string, string>())
        {
            if (!ShellQuote.IsVariableName(name))
            {
                throw new BadConfigException(DaytonaProvider.ProviderId, $"'{name}' is not a valid environment variable name.");
            }

            s.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }

        s.Append("printf %s ").Append(ShellQuote.Quote(Base64(request.Cmd))).Append(" | base64 -d > \"$d/c\" || exit 125\n");
        if (request.Stdin is { Length: > 0 } stdin)
        {
            s.Append("printf %s ").Append(ShellQuote.Quote(Base64(stdin))).Append(" | base64 -d > \"$d/i\" || exit 125\n");
            s.Append("i=\"$d/i\"\n");
        }
        else
        {
            s.Append("i=/dev/null\n");
        }

        // sh -c shows the command in the process list (ps, ListProcesses); one argument holds at most 128 KiB, so a larger
        // command runs from its file instead.
        var run = Encoding.UTF8.GetByteCount(request.Cmd) < 100_000 ? "setsid sh -c \"$(cat \"$d/c\")\"" : "setsid sh \"$d/c\"";
        s.Append(run).Append(" < \"$i\" > \"$d/o\" 2> \"$d/e\" &\n");
        s.Append("p=$!\n");
        s.Append("w=\n");
        if (request.TimeoutSeconds is { } timeout)
        {
            // The watchdog has a group of its own too, so that killing it also ends its sleep.
            s.Append("setsid sh -c 'sleep \"$1\"; : > \"$2/t\"; kill -KILL -\"$3\"' _ ")
                .Append(timeout.ToString("0.###", CultureInfo.InvariantCulture))
                .Append(" \"$d\" \"$p\" < /dev/null > /dev/null 2>&1 &\n");
            s.Append("w=$!\n");
        }

        s.Append("wait \"$p\"; c=$?\n");
        s.Append("[ -n \"$w\" ] && kill -KILL -\"$w\" 2>/dev/null\n");
        s.Append("t=0; [ -e \"$d/t\" ] && t=1\n");
        s.Append("say '{\"t\":\"out\"}'; base64 \"$d/o\"\n");
        s.Append("say '{\"t\":\"err\"}'; base64 \"$d/e\"\n");

        var limit = (request.TimeoutSeconds ?? 0).ToString("0.###", CultureInfo.InvariantCulture);
        s.Append("say \"{\\\"t\\\":\\\"exit\\\",\\\"code\\\":$c,\\\"timeout\\\":$t,\\\"limit\\\":").Append(limit).Append("}\"\n");
        s.Append("exit \"$c\"\n");
        s.Append(")\n");
        return s.ToString();
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
