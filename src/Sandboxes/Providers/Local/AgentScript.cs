namespace Sandboxes.Providers.Local;

/// <summary>
/// The agent: a POSIX shell loop that is the first process of every local sandbox and starts each of its commands.
/// </summary>
/// <remarks>
/// Why a shell agent: a command started by the agent is born inside the sandbox's namespaces, cgroups, user, seccomp
/// filter and capability set, so running one costs a fork and an exec, with nothing to join; and a background command
/// is the agent's child, not the client's, so it outlives the client that started it.
/// The protocol is a control FIFO of the host's, which the agent is given as descriptor 8 (the sandbox cannot name it,
/// let alone replace it), and files in the run directory, which the sandbox owns (inside a namespace sandbox a tmpfs of
/// its own at <c>/.sandbox</c>, bounded in size). The agent says <c>ready</c> on descriptor 4 (another FIFO of the
/// host's), and then for each line <c>ID [UID GID]</c> on the control FIFO runs <c>jobs/ID/run</c> with <c>stdin</c> (when present), <c>stdout</c> and
/// <c>stderr</c> (FIFOs or files the client prepared, else files it makes), sourced in a subshell or run by a new shell
/// as another user, then writes the exit status to <c>exit</c> (and the <c>status</c> FIFO, when there is one).
/// The host reads and writes all of it only through <see cref="Isolation.ConfinedDirectory"/>: whatever the sandbox
/// puts there (links, FIFOs, huge files) is refused or bounded, never followed.
/// Only a shell is needed inside (bash, or any POSIX <c>/bin/sh</c>, see <see cref="Shell"/>); <c>setpriv</c> only to
/// run as another user.
/// </remarks>
internal static class AgentScript
{
    /// <summary>Where the run directory is mounted inside a namespace sandbox.</summary>
    public const string MountPoint = "/.sandbox";

    /// <summary>
    /// The agent's shell: bash where the system has it, since a POSIX shell's background jobs ignore SIGINT and SIGQUIT
    /// for good and its <c>read</c> costs a system call per byte; else <c>/bin/sh</c>. Commands are sourced by it, so
    /// they are read with its syntax. <c>/usr/bin/bash</c> is what a namespace sandbox sees as <c>/bin/bash</c>.
    /// </summary>
    public static string Shell { get; } = File.Exists("/usr/bin/bash") && File.Exists("/bin/bash") ? "/bin/bash" : "/bin/sh";

    /// <summary>
    /// A command prefix that starts a program with SIGPIPE, SIGINT and SIGQUIT at their defaults (coreutils'
    /// <c>env --default-signal</c>), or empty where <c>env</c> cannot.
    /// </summary>
    public static string ResetSignalsCommand => LazyResetSignals.Value;

    private static readonly Lazy<string> LazyResetSignals = new(() =>
    {
        const string command = "env --default-signal=PIPE,INT,QUIT";
        try
        {
            using var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("env", ["--default-signal=PIPE", "true"])
            {
                UseShellExecute = false, RedirectStandardError = true,
            });
            if (probe is null)
            {
                return string.Empty;
            }

            probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            return probe.ExitCode == 0 ? command : string.Empty;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    });

    /// <summary>The script text. <c>$1</c> is the run directory as the agent sees it.</summary>
    public const string Text = """
        # Sandboxes agent: starts the commands of this sandbox. See AgentScript.cs.
        r="$1"
        # Descriptor 8 is the control FIFO, which lives where only the host can name it (opened read-write by the
        # launcher, so it never sees end-of-file); descriptors the launch used besides it are closed.
        exec 3<&8 8<&- 5<&- 6<&- 7<&- </dev/null >/dev/null 2>>"$r/agent.log"
        # Descriptor 4 is the host's ready FIFO: one line, then closed.
        echo ready >&4
        exec 4>&-
        while IFS=' ' read -r job uid gid <&3; do
          case "$job" in ''|*/*|.*) continue ;; esac
          d="$r/jobs/$job"
          i="$d/stdin"
          [ -e "$i" ] || i=/dev/null
          (
            # A background subshell starts with SIGINT and SIGQUIT ignored; bash lets them be reset, so a command can be
            # interrupted (dash cannot, which is why bash is the agent's shell where there is one).
            trap - INT QUIT
            if [ -n "$uid" ]; then
              setpriv --reuid="$uid" --regid="$gid" --clear-groups "${BASH:-/bin/sh}" "$d/run" <"$i" >"$d/stdout" 2>"$d/stderr"
            else
              # A forked subshell sourcing the script: no exec of a new shell, which is most of a command's cost.
              ( . "$d/run" ) <"$i" >"$d/stdout" 2>"$d/stderr"
            fi
            rc=$?
            echo "$rc" >"$d/exit"
            [ -p "$d/status" ] && echo "$rc" 1<>"$d/status"
          ) 3<&- &
          # Reaps finished jobs without waiting, so no zombie is left behind.
          jobs >/dev/null
        done
        """;
}
