namespace Sandboxes.Providers.Local;

/// <summary>
/// The agent: a POSIX shell loop that is the first process of every local sandbox and starts each of its commands.
/// </summary>
/// <remarks>
/// Why a shell agent: a command started by the agent is born inside the sandbox's namespaces, cgroup and capability
/// set, so running one costs a fork and an exec, with no namespace to join and no cgroup to move into; and a
/// background command is the agent's child, not the client's, so it outlives the client that started it.
/// The protocol is files: a client prepares <c>jobs/ID/</c> (the script <c>run</c>, and <c>stdin</c>, <c>stdout</c>,
/// <c>stderr</c> as FIFOs or plain files) and writes <c>ID UID GID</c> to the control FIFO. The agent runs the script
/// with those redirections (sourced in a subshell, or run by a new shell as another user), then records the exit status in <c>exit</c> (and, when the client waits on it, the
/// <c>status</c> FIFO). Only <c>/bin/sh</c> is needed inside the sandbox; <c>setpriv</c> only to run as another user.
/// </remarks>
internal static class AgentScript
{
    /// <summary>Where the run directory is mounted inside a namespace sandbox.</summary>
    public const string MountPoint = "/.sandbox";

    /// <summary>The script text. <c>$1</c> is the run directory as the agent sees it.</summary>
    public const string Text = """
        # Sandboxes agent: starts the commands of this sandbox. See AgentScript.cs.
        r="$1"
        exec 3<>"$r/ctl" </dev/null >/dev/null 2>>"$r/agent.log"
        # A write-and-read open of the FIFO never blocks, and the client is already reading it.
        echo ready 1<>"$r/ready"
        while IFS=' ' read -r job uid gid <&3; do
          case "$job" in ''|*/*|.*) continue ;; esac
          d="$r/jobs/$job"
          (
            if [ -n "$uid" ]; then
              setpriv --reuid="$uid" --regid="$gid" --clear-groups /bin/sh "$d/run" <"$d/stdin" >"$d/stdout" 2>"$d/stderr"
            else
              # A forked subshell sourcing the script: no exec of a new shell, which is most of a command's cost.
              ( . "$d/run" ) <"$d/stdin" >"$d/stdout" 2>"$d/stderr"
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
