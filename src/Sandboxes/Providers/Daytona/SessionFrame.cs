using System.Globalization;
using System.Text;
using Sandboxes.Isolation;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// The session command that runs one of the kit's programs exactly. Daytona's session logs are line-based (a last line
/// gets a newline) and its input adds a newline to every message and cannot be closed, so the frame carries bytes as
/// base64 lines both ways: the program's stdout and stderr are read as they come (one <c>dd</c> read at a time, so
/// partial lines are not held back) and written as base64 lines to the session's stdout and stderr; stdin arrives as
/// base64 lines, a lone <c>.</c> closing it. A frame that reads input first writes <see cref="ReadyLine"/>: the daemon
/// makes the command's input pipe only when its shell reaches the command, and refuses input sent before then. The
/// program runs in a session of its own (<c>setsid</c>) where the image has it, so that deleting the toolbox session does
/// not reach it. Needs <c>sh</c>, <c>dd</c>, <c>base64</c>, <c>tr</c> and <c>mkfifo</c>, as Daytona's images have.
/// </summary>
internal static class SessionFrame
{
    /// <summary>The input line that closes the program's stdin.</summary>
    public const string CloseInputLine = ".";

    /// <summary>The stdout line saying that the frame runs, so its input pipe exists (not base64: no output looks like it).</summary>
    public const string ReadyLine = "!";

    // The most a base64 output line carries (32 KiB of text per line): below the daemon's line limits.
    private const int ChunkBytes = 24 * 1024;

    /// <summary>Builds the session command for a launch whose working directory is already absolute (or null).</summary>
    public static string Build(ProcessLaunch launch, string? cwd)
    {
        var s = new StringBuilder("(\n");
        // Background lists of a non-interactive shell read /dev/null unless redirected: fd 3 keeps the session's input.
        s.Append("exec 3<&0\n");
        if (cwd is not null)
        {
            s.Append("cd -- ").Append(ShellQuote.Quote(cwd)).Append(" || exit 126\n");
        }

        foreach (var (name, value) in launch.Env)
        {
            s.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }

        s.Append("d=$(mktemp -d \"${TMPDIR:-/tmp}/sbx.XXXXXX\") || exit 125\n");
        s.Append("trap 'rm -rf \"$d\"' EXIT\n");
        s.Append("mkfifo \"$d/o\" \"$d/e\" \"$d/i\" || exit 125\n");
        s.Append("enc() { while c=$(dd bs=").Append(ChunkBytes.ToString(CultureInfo.InvariantCulture))
            .Append(" count=1 2>/dev/null | base64 | tr -d '\\n'); [ -n \"$c\" ]; do printf '%s\\n' \"$c\"; done; }\n");
        s.Append("enc < \"$d/o\" & a=$!\n");
        s.Append("enc < \"$d/e\" >&2 & b=$!\n");
        if (launch.Stdin)
        {
            // The session's shell runs this, so the daemon's input pipe exists: input may come from now on.
            s.Append("printf '%s\\n' '").Append(ReadyLine).Append("'\n");
            s.Append("( while IFS= read -r l; do [ \"$l\" = ").Append(CloseInputLine)
                .Append(" ] && break; printf %s \"$l\" | base64 -d; done ) <&3 > \"$d/i\" 2>/dev/null & f=$!\n");
        }
        else
        {
            s.Append(": > \"$d/i\" & f=$!\n");
        }

        s.Append("r=; command -v setsid >/dev/null 2>&1 && r=setsid\n");
        s.Append("$r ").Append(string.Join(' ', launch.Argv.Select(ShellQuote.Quote)))
            .Append(" < \"$d/i\" > \"$d/o\" 2> \"$d/e\" 3<&- &\n");
        s.Append("p=$!\n");
        s.Append("wait \"$p\"; s=$?\n");
        s.Append("kill \"$f\" 2>/dev/null\n");
        s.Append("wait \"$a\" \"$b\"\n");
        s.Append("exit \"$s\"\n");
        s.Append(")\n");
        return s.ToString();
    }

    /// <summary>Encodes stdin bytes as one input line (the daemon's added newline ends it).</summary>
    public static string EncodeInput(ReadOnlySpan<byte> data) => Convert.ToBase64String(data);
}
