using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sandboxes.Isolation;

/// <summary>
/// One start of a bubblewrap jail: the files bubblewrap reads (its arguments and the seccomp filter, in a directory
/// only the host can read), the command line that runs it, and, for a client running as root, the user namespace
/// handshake that makes the jail's root an unprivileged host user.
/// </summary>
/// <remarks>
/// As root the command is: a shell that opens the two files as descriptors, then <c>unshare --user --keep-caps</c>
/// into a new user namespace, a shell that reports its pid and waits, this process writing that pid's
/// <c>uid_map</c>/<c>gid_map</c> (<see cref="IdentityMap.MapLine"/>), then <c>setpriv</c> becoming the namespace's
/// uid 0, which is the unprivileged host uid of the range, and from there bubblewrap. The mapping cannot come from
/// unshare itself (it would need newuidmap and /etc/subuid entries), nor from bubblewrap run as host root (its set-up
/// would run as an unmapped host root, and the jail's processes would stay host uid 0). Everything in the jail, its
/// pid 1 included, is the unprivileged uid from the first step on; its namespaces belong to the new user namespace.
/// Not root, bubblewrap makes the user namespace itself (<c>--unshare-user</c>) and no handshake is needed.
/// After bubblewrap, <c>setpriv</c> empties the bounding set down to <see cref="JailCapabilities.Kept"/> before the
/// jail's own program runs.
/// </remarks>
internal sealed class JailLaunch : IDisposable
{
    // bwrap finds its program through the sandbox's PATH, which the sandbox's creator sets (a PATH without setpriv's
    // directory must not stop the sandbox from starting): setpriv is named by its absolute path, the same inside the
    // jail, whose system directories are the host's.
    private static readonly string SetprivPath =
        new[] { "/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv", "/sbin/setpriv" }.FirstOrDefault(File.Exists) ?? "setpriv";

    // $1 the descriptors to keep besides 0-2, $2 the arguments file, $3 the filter, $4/$5 the handshake FIFOs (empty:
    // no user namespace to map), then the command. Descriptors the client's own parent leaked to it are closed first:
    // a directory descriptor of the host inside the jail would be a way out of its mount namespace. (A shell that is
    // not bash cannot name descriptors above 9; bash is the entry's shell wherever it exists.)
    private const string Entry = """
        keep=" $1 " a=$2 f=$3 up=$4 down=$5; shift 5
        for fd in /proc/self/fd/*; do
          n=${fd##*/}
          case "$n" in 0|1|2|*[!0-9]*) continue ;; esac
          case "$keep" in *" $n "*) continue ;; esac
          case "$n" in [0-9]) eval "exec $n>&-" ;; *) [ -n "${BASH_VERSION:-}" ] && eval "exec $n>&-" ;; esac
        done
        exec 5<"$a" 6<"$f" || exit 96
        [ -n "$up" ] || exec "$@"
        exec unshare --user --keep-caps -- /bin/sh -c 'echo $$ >"$1" && read -r go <"$2" && [ "$go" = go ] || exit 95; shift 2; exec setpriv --reuid=0 --regid=0 --clear-groups -- "$@"' jail-userns "$up" "$down" "$@"
        """;

    private readonly string _provider;
    private readonly IdentityMap _identity;
    private int _upFd = -1;
    private int _downFd = -1;

    private JailLaunch(string provider, IdentityMap identity, IReadOnlyList<string> command)
    {
        _provider = provider;
        _identity = identity;
        Command = command;
    }

    /// <summary>The argv that starts the jail (run it as the last step of the caller's own launcher, or directly).</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary>
    /// Writes the jail's files into <paramref name="privateDir"/> (a directory of this process that nothing else may
    /// read) and builds the command that runs <paramref name="program"/> in it.
    /// </summary>
    public static JailLaunch Prepare(string provider, JailSpec spec, string privateDir, IReadOnlyList<string> program)
    {
        Directory.CreateDirectory(privateDir);
        LibC.Chmod(privateDir, 0x1C0);
        var filter = SeccompFilter.ForThisMachine;
        if (filter is null)
        {
            SandboxWarnings.Once("jail-seccomp",
                $"No system-call filter exists for {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}: jails run without one (x86-64 and arm64 have it).");
        }

        var argsFile = Path.Combine(privateDir, "bwrap.args");
        var filterFile = Path.Combine(privateDir, "seccomp.bpf");
        var arguments = new StringBuilder();
        foreach (var arg in BubblewrapArguments.For(spec, filtered: filter is not null))
        {
            if (arg.Contains('\0', StringComparison.Ordinal))
            {
                throw new BadConfigException(provider, "A jail setting contains a NUL character.");
            }

            arguments.Append(arg).Append('\0');
        }

        // Text that is no valid UTF-16 (a lone surrogate in an environment value) goes as U+FFFD, as on every other
        // route into a sandbox, rather than failing the create with an encoder error.
        File.WriteAllBytes(argsFile, Encoding.UTF8.GetBytes(arguments.ToString()));
        File.WriteAllBytes(filterFile, filter ?? []);

        var up = string.Empty;
        var down = string.Empty;
        if (spec.Identity.Mapped)
        {
            up = Path.Combine(privateDir, "userns-pid");
            down = Path.Combine(privateDir, "userns-go");
            MakeFifo(provider, up);
            MakeFifo(provider, down);
        }

        var keep = string.Join(' ', spec.InheritedDescriptors.Select(fd => fd.ToString(CultureInfo.InvariantCulture)));
        var shell = File.Exists("/bin/bash") ? "/bin/bash" : "/bin/sh";
        var command = new List<string> { shell, "-c", Entry, "jail", keep, argsFile, filterFile, up, down };
        command.AddRange([spec.Bubblewrap, "--args", BubblewrapArguments.ArgumentsFd.ToString(CultureInfo.InvariantCulture), "--", SetprivPath]);
        command.AddRange(JailCapabilities.SetprivArguments(keep: spec.Identity.Mapped));
        command.Add("--");
        command.AddRange(program);
        var launch = new JailLaunch(provider, spec.Identity, command);
        if (spec.Identity.Mapped)
        {
            // Opened before the start: the reader first, so the jail's report cannot block or be lost; the other end
            // read-write, so the jail's open for reading returns at once and its read waits for the word.
            launch._upFd = LibC.Open(up, LibC.O_RDONLY | LibC.O_NONBLOCK);
            launch._downFd = LibC.Open(down, LibC.O_RDWR);
            if (launch._upFd < 0 || launch._downFd < 0)
            {
                var error = LibC.LastError;
                launch.Dispose();
                throw new SandboxIOException(provider, privateDir, LibC.ErrorText(error));
            }
        }

        return launch;
    }

    /// <summary>
    /// For a mapped jail: waits for its user namespace, maps it, and lets it go on. Call once the command runs.
    /// Nothing to do otherwise.
    /// </summary>
    /// <param name="hasExited">True once the started process has ended (the jail then failed before the handshake).</param>
    /// <param name="timeout">How long the jail may take to report.</param>
    public unsafe void Complete(Func<bool> hasExited, TimeSpan timeout)
    {
        if (!_identity.Mapped)
        {
            return;
        }

        var line = ReadLine(_upFd, hasExited, timeout)
                   ?? throw new ProviderException(_provider, "The jail did not make its user namespace in time (is util-linux's unshare installed?).");
        if (!int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            throw new ProviderException(_provider, "The jail reported no pid for its user namespace.");
        }

        var map = Encoding.ASCII.GetBytes(_identity.MapLine);
        foreach (var file in new[] { "uid_map", "gid_map" })
        {
            // The kernel takes a map in one write.
            var path = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/{file}";
            var fd = LibC.Open(path, LibC.O_WRONLY);
            if (fd < 0)
            {
                throw new SandboxIOException(_provider, path, LibC.ErrorText(LibC.LastError));
            }

            try
            {
                fixed (byte* p = map)
                {
                    if (LibC.Write(fd, p, (nuint)map.Length) != map.Length)
                    {
                        throw new SandboxIOException(_provider, path, LibC.ErrorText(LibC.LastError));
                    }
                }
            }
            finally
            {
                LibC.Close(fd);
            }
        }

        if (!LibC.TryWriteAll(_downFd, "go\n"u8))
        {
            throw new SandboxIOException(_provider, "jail", LibC.ErrorText(LibC.LastError));
        }
    }

    /// <summary>Closes this process's ends of the handshake FIFOs (a jail still waiting then gives up).</summary>
    public void Dispose()
    {
        foreach (var fd in new[] { _upFd, _downFd })
        {
            if (fd >= 0)
            {
                LibC.Close(fd);
            }
        }

        _upFd = _downFd = -1;
    }

    private static unsafe string? ReadLine(int fd, Func<bool> hasExited, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var text = new StringBuilder();
        var buffer = stackalloc byte[64];
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var poll = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
            LibC.Poll(&poll, 1, 10);
            if ((poll.Revents & LibC.POLLIN) != 0)
            {
                var n = LibC.Read(fd, buffer, 64);
                if (n > 0)
                {
                    text.Append(Encoding.ASCII.GetString(buffer, (int)n));
                    var newline = text.ToString().IndexOf('\n', StringComparison.Ordinal);
                    if (newline >= 0)
                    {
                        return text.ToString()[..newline].Trim();
                    }

                    if (text.Length > 32)
                    {
                        return null;
                    }
                }
            }
            else if ((poll.Revents & LibC.POLLHUP) != 0 || hasExited())
            {
                // The writer closed without a line (the jail failed), or the process is gone.
                return null;
            }
        }

        return null;
    }

    private static void MakeFifo(string provider, string path)
    {
        File.Delete(path);
        if (LibC.MkFifo(path, 0x180) != 0)
        {
            throw new SandboxIOException(provider, path, LibC.ErrorText(LibC.LastError));
        }
    }
}
