namespace Sandboxes.Remote;

/// <summary>
/// The kit's POSIX shell programs, run in the sandbox for what providers' APIs have no call for: a process tree to kill,
/// background output that any client can follow from its first byte, a timeout that holds when no client is there,
/// process listings, signals. Each runs as <c>/bin/sh -c SCRIPT NAME ARGS...</c>, so no user value is ever spliced into
/// script text. They need only a POSIX shell and what every base image has (coreutils or busybox: grep, tail, head, wc,
/// tr, mkdir, mv, sleep, kill) and /proc.
/// </summary>
/// <remarks>
/// Conventions shared by the scripts and <see cref="RemoteProcessProvider"/>: every process started for a command carries
/// <c>SANDBOXES_EXEC=&lt;nonce&gt;</c> in its environment, which its descendants inherit, so the whole tree can be found in
/// <c>/proc/*/environ</c> and killed even after it double-forked; the kit's own helpers carry <c>SANDBOXES_HELPER=1</c>
/// and are left out of process listings; background commands keep their state under <see cref="CommandsDir"/>, one
/// directory per handle.
/// </remarks>
internal static class KitScripts
{
    /// <summary>Where background commands keep their output and status.</summary>
    public const string CommandsDir = "/tmp/.sandboxes/commands";

    /// <summary>Environment variable naming the command a process belongs to.</summary>
    public const string ExecVariable = "SANDBOXES_EXEC";

    /// <summary>Environment variable naming the background handle a process belongs to.</summary>
    public const string HandleVariable = "SANDBOXES_HANDLE";

    /// <summary>Environment variable marking the kit's own helper processes.</summary>
    public const string HelperVariable = "SANDBOXES_HELPER";

    /// <summary>Exit code of a script that found no such handle or process.</summary>
    public const int NotFoundExit = 44;

    /// <summary>Makes the commands directory, world-writable and sticky, so that commands run as any user can use it.</summary>
    public const string PrepareCommandsDir = """

        mkdir -m 1777 /tmp/.sandboxes 2>/dev/null; mkdir -m 1777 /tmp/.sandboxes/commands 2>/dev/null
        """;

    // Reads the memory cgroup's OOM-kill counter (v2 memory.events or v1 memory.oom_control) into the variable named $1.
    private const string OomCounter = """
        oom_count() {
          _n=0
          for _f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
            if [ -r "$_f" ]; then
              while read -r _k _v; do [ "$_k" = oom_kill ] && _n=$_v; done < "$_f"
              break
            fi
          done
          eval "$1=\$_n"
        }
        """;

    // Kills every process whose environment carries SANDBOXES_EXEC=$1 with signal $2: stopped first so that none can fork
    // while the tree is being killed, and repeated until none is left (killed processes have an empty environ).
    private const string KillTreeFunction = """
        kill_tree() {
          _t="SANDBOXES_EXEC=$1"; _s=$2; _i=0
          while [ $_i -lt 50 ]; do
            _p=
            for _f in $(grep -lsF -e "$_t" /proc/[0-9]*/environ 2>/dev/null); do _f=${_f#/proc/}; _p="$_p ${_f%/environ}"; done
            [ -z "$_p" ] && return 0
            [ "$_s" = KILL ] && kill -STOP $_p 2>/dev/null
            kill -"$_s" $_p 2>/dev/null
            [ "$_s" = KILL ] || return 0
            _i=$((_i + 1))
          done
        }
        """;

    /// <summary>
    /// Runs a command in the foreground: $1 is the OOM marker, $2 the command, $3 "1" when stdin is attached, $4 the shell
    /// (its words: the provider's, never the user's). Exits with the command's status; when the memory cgroup killed it,
    /// writes the marker to stderr last, which the kit strips. Stdin the command left unread is read to its end first:
    /// some engines drop the rest of the output when they cannot deliver stdin to a process that has exited.
    /// </summary>
    public const string Run = OomCounter + """

        oom_count before
        ( unset SANDBOXES_HELPER; exec $4 -c "$2" )
        s=$?
        [ "$3" = 1 ] && cat >/dev/null 2>&1
        if [ "$s" -eq 137 ]; then oom_count after; [ "$after" -gt "$before" ] && printf '%s' "$1" >&2; fi
        exit "$s"
        """;

    /// <summary>
    /// Starts a background command: $1 handle directory, $2 command, $3 timeout seconds (empty for none), $4 nonce,
    /// $5 the watchdog script, $6 the shell, $7 "1" to keep its stdin open. Prints the command's pid and nothing else on
    /// its stdout; the command's output goes to files; when it ends, <c>status</c> holds "exit oom timedout timeout" (see
    /// <see cref="BackgroundStatus"/>). A kept stdin is the FIFO <c>in</c>, held open by a process of its own (its pid in
    /// <c>holder</c>) so that the command reads end of input only once stdin is closed, whichever client writes to it.
    /// </summary>
    public const string Start = OomCounter + PrepareCommandsDir + """

        d=$1
        mkdir "$d" 2>/dev/null && : > "$d/out" && : > "$d/err" && echo "$$" > "$d/wrapper" || { echo "sandboxes: cannot write $d" >&2; exit 125; }
        oom_count before
        if [ "$7" = 1 ]; then
          mkfifo -m 600 "$d/in" || { echo "sandboxes: cannot make $d/in" >&2; exit 125; }
          sleep 2147483647 4<>"$d/in" </dev/null >/dev/null 2>&1 &
          echo "$!" > "$d/holder"
          exec 3<"$d/in"
        else
          exec 3</dev/null
        fi
        ( unset SANDBOXES_HELPER; exec $6 -c "$2" <&3 3<&- >"$d/out" 2>"$d/err" ) &
        p=$!
        exec 3<&- 0</dev/null
        echo "$p" > "$d/pid"
        printf '%s\n' "$p"
        exec >/dev/null 2>&1
        w=
        if [ -n "$3" ]; then
          SANDBOXES_EXEC=watchdog-$4 /bin/sh -c "$5" sandboxes-watchdog "$3" "$4" "$d" &
          w=$!
        fi
        wait "$p"
        s=$?
        [ -n "$w" ] && kill "$w" 2>/dev/null
        if [ -e "$d/holder" ]; then read -r h < "$d/holder" && rm -f "$d/holder" && kill "$h" 2>/dev/null; fi
        rm -f "$d/in"
        oom=0
        if [ "$s" -eq 137 ]; then oom_count after; [ "$after" -gt "$before" ] && oom=1; fi
        to=0
        [ -e "$d/timedout" ] && to=1
        printf '%s %s %s %s\n' "$s" "$oom" "$to" "${3:--}" > "$d/status.tmp" && mv -f "$d/status.tmp" "$d/status"
        """;

    /// <summary>
    /// Writes its stdin to the kept stdin of background command $1 (its directory): prints "ok" once the FIFO is open
    /// (exits 44 when the command keeps no stdin, or has ended), then copies until its own stdin ends or the command does.
    /// Writers carry the nonce <c>stdin-HANDLE</c>, so that closing the command's stdin can end those of other clients.
    /// </summary>
    public const string StdinWriter = """
        [ -p "$1/in" ] && [ ! -e "$1/status" ] || exit 44
        exec 5<>"$1/in" || exit 44
        echo ok
        exec 6<&0
        cat <&6 >&5 &
        c=$!
        exec 6<&-
        while [ ! -e "$1/status" ] && kill -0 "$c" 2>/dev/null; do sleep 1; done
        kill "$c" 2>/dev/null
        exit 0
        """;

    /// <summary>
    /// Closes the kept stdin of background command $1 (its directory; $2 its handle): ends the process holding the FIFO
    /// open and every client's writer, so that the command reads end of input once it has read what was written.
    /// </summary>
    public const string StdinClose = KillTreeFunction + """

        if [ -e "$1/holder" ]; then read -r h < "$1/holder" && rm -f "$1/holder" && kill "$h" 2>/dev/null; fi
        kill_tree "stdin-$2" TERM
        exit 0
        """;

    /// <summary>
    /// Enforces a background command's timeout in the sandbox, whoever started it: $1 seconds, $2 nonce, $3 handle
    /// directory. At the deadline it marks the handle timed out, kills the command's tree and writes its status.
    /// </summary>
    public const string Watchdog = KillTreeFunction + """

        trap 'kill "$z" 2>/dev/null; exit 0' TERM
        sleep "$1" & z=$!
        wait "$z"
        [ -e "$3/status" ] && exit 0
        : > "$3/timedout"
        kill_tree "$2" KILL
        [ -e "$3/status" ] || { printf '137 0 1 %s\n' "$1" > "$3/status.tmp" && mv -f "$3/status.tmp" "$3/status"; }
        """;

    /// <summary>
    /// Follows a background command's output: $1 handle directory, $2 and $3 the bytes of stdout and stderr already seen
    /// (0 from the start). Copies new bytes of <c>out</c> to stdout and of <c>err</c> to stderr as they appear, and ends
    /// once the status is written and everything was copied.
    /// </summary>
    public const string Follow = """
        d=$1
        [ -e "$d/pid" ] || exit 44
        o=${2:-0}; e=${3:-0}
        while :; do
          f=0; [ -e "$d/status" ] && f=1
          n=$({ wc -c < "$d/out"; } 2>/dev/null); n=$((n + 0))
          if [ "$n" -gt "$o" ]; then tail -c +$((o + 1)) "$d/out" | head -c $((n - o)); o=$n; fi
          n=$({ wc -c < "$d/err"; } 2>/dev/null); n=$((n + 0))
          if [ "$n" -gt "$e" ]; then tail -c +$((e + 1)) "$d/err" | head -c $((n - e)) >&2; e=$n; fi
          [ "$f" = 1 ] && exit 0
          # A wrapper killed before it wrote the status (out of memory, say) leaves the exit status unknown: once the
          # command is gone too, say so, rather than wait for ever.
          { read -r w < "$d/wrapper"; read -r p < "$d/pid"; } 2>/dev/null
          if [ -n "$w" ] && [ ! -d "/proc/$w" ] && [ ! -d "/proc/$p" ] && [ ! -e "$d/status" ]; then
            printf '%s 0 0 -\n' -1 > "$d/status.tmp" && mv -f "$d/status.tmp" "$d/status"
          fi
          sleep 0.05 2>/dev/null || sleep 1
        done
        """;

    /// <summary>Kills the process tree of nonce $1 with signal $2 (a name: KILL, HUP, TERM...).</summary>
    public const string KillTree = KillTreeFunction + """

        kill_tree "$1" "$2"
        """;

    /// <summary>
    /// Sends signal $2 (a number) to pid $1; exits 44 when there is no such process, or when $3 (a variable,
    /// <c>NAME=VALUE</c>) is given and the process does not carry it.
    /// </summary>
    public const string Signal = """
        [ -d "/proc/$1" ] || exit 44
        [ -z "$3" ] || grep -qsF -e "$3" "/proc/$1/environ" || exit 44
        kill -"$2" "$1" 2>/dev/null || exit 44
        """;

    /// <summary>
    /// Lists the sandbox's processes but pid 1 and the kit's helpers, one per line: pid, uid, background handle (or
    /// empty) and command line, separated by tabs. When $1 (a variable, <c>NAME=VALUE</c>) is given, only processes that
    /// carry it are listed.
    /// </summary>
    public const string ListProcesses = """
        h=" $(grep -lsF -e SANDBOXES_HELPER=1 /proc/[0-9]*/environ 2>/dev/null | tr '\n' ' ') "
        [ -n "$1" ] && t=" $(grep -lsF -e "$1" /proc/[0-9]*/environ 2>/dev/null | tr '\n' ' ') "
        for p in /proc/[0-9]*; do
          i=${p#/proc/}
          [ "$i" = 1 ] && continue
          case "$h" in *" $p/environ "*) continue ;; esac
          if [ -n "$1" ]; then case "$t" in *" $p/environ "*) ;; *) continue ;; esac; fi
          u=
          { while read -r k v r; do if [ "$k" = Uid: ]; then u=$v; break; fi; done < "$p/status"; } 2>/dev/null
          [ -n "$u" ] || continue
          c=$(tr '\0\n\t' '   ' < "$p/cmdline" 2>/dev/null)
          [ -n "$c" ] || continue
          x=$(tr '\0' '\n' < "$p/environ" 2>/dev/null | grep -m1 '^SANDBOXES_HANDLE=')
          printf '%s\t%s\t%s\t%s\n' "$i" "$u" "${x#SANDBOXES_HANDLE=}" "${c% }"
        done
        """;
}
