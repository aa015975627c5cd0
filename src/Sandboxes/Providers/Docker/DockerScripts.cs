using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// The POSIX shell programs only this adapter runs inside containers, for what the Engine API has no call for: directory
/// listings, terminals, port relays. The command scripts are the kit's (<see cref="KitScripts"/>), whose conventions these
/// follow: each is passed as <c>sh -c SCRIPT NAME ARGS...</c>, so no user value is ever spliced into script text.
/// </summary>
internal static class DockerScripts
{
    /// <summary>Exit code of a script that found a path of the wrong kind (a file where a directory was needed).</summary>
    public const int WrongKindExit = 45;

    /// <summary>
    /// The container's main process: prepares the kit's commands directory and sleeps for the sandbox's lifetime
    /// ($1 seconds). When it ends the container stops.
    /// </summary>
    public const string KeepAlive = KitScripts.PrepareCommandsDir + """

        SANDBOXES_HELPER=1 exec sleep "$1"
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
