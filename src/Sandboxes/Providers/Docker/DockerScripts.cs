namespace Sandboxes.Providers.Docker;

/// <summary>
/// The small POSIX shell programs the adapter runs inside containers, for what the Engine API has no call for: a process
/// tree to kill, background output any client can follow, directory listings. Each is passed as <c>sh -c SCRIPT NAME
/// ARGS...</c>, so no user value is ever spliced into script text. They need only a POSIX shell and the utilities every
/// base image has (coreutils or busybox: grep, tail, head, wc, stat, mkdir, rm, mv, sleep, kill).
/// </summary>
/// <remarks>
/// Conventions shared by the scripts and the adapter:
/// every process started for a command carries <c>SANDBOXES_EXEC=&lt;nonce&gt;</c> in its environment, which its
/// descendants inherit, so the whole tree can be found in <c>/proc/*/environ</c> and killed even after it double-forked;
/// the adapter's own helpers carry <c>SANDBOXES_HELPER=1</c> and are left out of process listings; background commands keep
/// their state under <see cref="HandlesDir"/>.
/// </remarks>
internal static class DockerScripts
{
    /// <summary>Where background commands keep their output and status (one directory per handle).</summary>
    public const string HandlesDir = "/tmp/.sandboxes/h";

    /// <summary>Environment variable naming the command a process belongs to.</summary>
    public const string ExecVariable = "SANDBOXES_EXEC";

    /// <summary>Environment variable naming the background handle a process belongs to.</summary>
    public const string HandleVariable = "SANDBOXES_HANDLE";

    /// <summary>Environment variable marking the adapter's own helper processes.</summary>
    public const string HelperVariable = "SANDBOXES_HELPER";

    /// <summary>Exit code of a script that found no such handle, process or path.</summary>
    public const int NotFoundExit = 44;

    /// <summary>Exit code of a script that found a path of the wrong kind (a file where a directory was needed).</summary>
    public const int WrongKindExit = 45;

    /// <summary>
    /// The container's main process: prepares the handles directory (world-writable, so commands run as any user can use
    /// it) and sleeps for the sandbox's lifetime ($1 seconds). When it ends the container stops.
    /// </summary>
    public const string KeepAlive = """
        mkdir -p /tmp/.sandboxes/h 2>/dev/null && chmod 1777 /tmp/.sandboxes /tmp/.sandboxes/h 2>/dev/null
        SANDBOXES_HELPER=1 exec sleep "$1"
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
    /// Runs a command in the foreground: $1 is the OOM marker, $2 the command, $3 "1" when stdin is attached. Exits with
    /// the command's status; when the memory cgroup killed it, writes the marker to stderr last, which the adapter strips.
    /// Stdin the command left unread is read to its end first: Podman drops the rest of an exec's output when it cannot
    /// deliver stdin to a process that has exited.
    /// </summary>
    public const string Run = OomCounter + """

        oom_count before
        ( unset SANDBOXES_HELPER; exec /bin/sh -c "$2" )
        s=$?
        [ "$3" = 1 ] && cat >/dev/null 2>&1
        if [ "$s" -eq 137 ]; then oom_count after; [ "$after" -gt "$before" ] && printf '%s' "$1" >&2; fi
        exit "$s"
        """;

    /// <summary>
    /// Starts a background command: $1 handle directory, $2 command, $3 timeout seconds (empty for none), $4 nonce,
    /// $5 the watchdog script. Prints the command's pid and nothing else on the attached stream; the command's output goes
    /// to files; when it ends, <c>status</c> holds "exit oom timedout timeout" (see <see cref="BackgroundStatus"/>).
    /// </summary>
    public const string Start = OomCounter + """

        d=$1
        mkdir -p "$d" 2>/dev/null && : > "$d/out" && : > "$d/err" && echo "$$" > "$d/wrapper" || { echo "sandboxes: cannot write $d" >&2; exit 125; }
        oom_count before
        exec 3<&0
        ( unset SANDBOXES_HELPER; exec /bin/sh -c "$2" <&3 3<&- >"$d/out" 2>"$d/err" ) &
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
        oom=0
        if [ "$s" -eq 137 ]; then oom_count after; [ "$after" -gt "$before" ] && oom=1; fi
        to=0
        [ -e "$d/timedout" ] && to=1
        printf '%s %s %s %s\n' "$s" "$oom" "$to" "${3:--}" > "$d/status.tmp" && mv -f "$d/status.tmp" "$d/status"
        """;

    /// <summary>
    /// Enforces a background command's timeout inside the container, whoever started it: $1 seconds, $2 nonce, $3 handle
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

    /// <summary>Sends signal $2 (a number) to pid $1; exits 44 when there is no such process.</summary>
    public const string Signal = """
        [ -d "/proc/$1" ] || exit 44
        kill -"$2" "$1" 2>/dev/null || exit 44
        """;

    /// <summary>
    /// Lists the container's processes but its init and the adapter's helpers, one per line:
    /// pid, uid, background handle (or empty) and command line, separated by tabs.
    /// </summary>
    public const string ListProcesses = """
        h=" $(grep -lsF -e SANDBOXES_HELPER=1 /proc/[0-9]*/environ 2>/dev/null | tr '\n' ' ') "
        for p in /proc/[0-9]*; do
          i=${p#/proc/}
          [ "$i" = 1 ] && continue
          case "$h" in *" $p/environ "*) continue ;; esac
          u=
          { while read -r k v r; do if [ "$k" = Uid: ]; then u=$v; break; fi; done < "$p/status"; } 2>/dev/null
          [ -n "$u" ] || continue
          c=$(tr '\0\n\t' '   ' < "$p/cmdline" 2>/dev/null)
          [ -n "$c" ] || continue
          x=$(tr '\0' '\n' < "$p/environ" 2>/dev/null | grep -m1 '^SANDBOXES_HANDLE=')
          printf '%s\t%s\t%s\t%s\n' "$i" "$u" "${x#SANDBOXES_HANDLE=}" "${c% }"
        done
        """;

    /// <summary>
    /// Lists directory $1: one record per entry, "hexmode size mtime name" ending in NUL (names may hold any byte but NUL
    /// and slash). Exits 44 when the directory does not exist and 45 when it is not a directory.
    /// </summary>
    public const string ListDirectory = """
        if [ ! -d "$1" ]; then [ -e "$1" ] && exit 45; exit 44; fi
        cd -- "$1" || exit 45
        set --
        for f in * .[!.]* ..?*; do
          if [ -e "$f" ] || [ -L "$f" ]; then set -- "$@" "$f"; fi
        done
        [ $# -eq 0 ] && exit 0
        if stat --printf '' -- . 2>/dev/null; then exec stat --printf '%f %s %Y %n\0' -- "$@"; fi
        for f; do printf '%s %s\0' "$(stat -c '%f %s %Y' -- "$f")" "$f"; done
        """;

    /// <summary>Creates directory $1 and its parents; exits 45 when a part of the path is not a directory.</summary>
    public const string MakeDir = """
        [ -d "$1" ] && exit 0
        mkdir -p -- "$1" 2>/dev/null && exit 0
        [ -e "$1" ] && exit 45
        mkdir -p -- "$1"
        """;

    /// <summary>Removes $1 and everything below it; a missing path is not an error.</summary>
    public const string Remove = """
        rm -rf -- "$1"
        """;

    /// <summary>Gives $1 to owner $2 (user or user:group).</summary>
    public const string Chown = """
        chown -h -- "$2" "$1"
        """;

    /// <summary>
    /// Opens a terminal: prints its own pid as an OSC escape (terminals ignore it; the adapter strips it), then becomes
    /// the command $1, or an interactive shell.
    /// </summary>
    public const string Terminal = """
        printf '\033]sandboxes-pid;%s\007' "$$"
        unset SANDBOXES_HELPER
        [ -n "$1" ] && exec /bin/sh -c "$1"
        command -v bash >/dev/null 2>&1 && exec bash
        exec /bin/sh
        """;

    /// <summary>
    /// Gives the terminal of process $1 the size $2 rows by $3 columns, through the first of its fds 0, 1, 2 that is a
    /// terminal (exits 1 when none is). Setting the size it already has changes nothing and signals nobody.
    /// </summary>
    public const string TerminalSize = """
        for fd in 0 1 2; do
          stty -F "/proc/$1/fd/$fd" rows "$2" cols "$3" 2>/dev/null && exit 0
        done
        exit 1
        """;

    /// <summary>Says which relay program the image has for port forwarding (exits 127 when none).</summary>
    public const string RelayProbe = """
        for r in python3 perl nc; do command -v "$r" >/dev/null 2>&1 && { echo "$r"; exit 0; }; done
        exit 127
        """;

    /// <summary>
    /// Joins its stdin and stdout to a TCP connection to 127.0.0.1:$1 inside the container (network namespace included):
    /// python3 ($2), else perl ($3), else nc. End of stdin half-closes the connection; the server closing ends the relay.
    /// </summary>
    public const string Relay = """
        if command -v python3 >/dev/null 2>&1; then exec python3 -c "$2" "$1"; fi
        if command -v perl >/dev/null 2>&1; then exec perl -e "$3" "$1"; fi
        exec nc 127.0.0.1 "$1"
        """;

    /// <summary>The python3 relay of <see cref="Relay"/>.</summary>
    public const string PythonRelay = """
        import os, socket, sys, threading
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        def up():
            while True:
                b = os.read(0, 65536)
                if not b:
                    break
                s.sendall(b)
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        threading.Thread(target=up, daemon=True).start()
        while True:
            b = s.recv(65536)
            if not b:
                break
            os.write(1, b)
        """;

    /// <summary>The perl relay of <see cref="Relay"/>.</summary>
    public const string PerlRelay = """
        use IO::Socket::INET;
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or exit 1;
        my $pid = fork();
        if ($pid) { my $b; while (sysread($s, $b, 65536)) { syswrite(STDOUT, $b); } kill 9, $pid; exit 0; }
        my $b; while (sysread(STDIN, $b, 65536)) { syswrite($s, $b); } shutdown($s, 1); exit 0;
        """;
}
