using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Gives a namespace-isolated sandbox filtered outbound network: loads <see cref="EgressRules"/> into its network
/// namespace, then connects that namespace to the host through slirp4netns (host loopback mapping disabled) and waits
/// until it is configured. Run before the sandbox is handed out, so its first command already sees both.
/// </summary>
/// <remarks>
/// Both steps join the namespace through its owner user namespace (<c>NS_GET_USERNS</c> on the namespace), which is
/// not always the sandbox processes' own: bubblewrap run by a user who is not root nests a second user namespace
/// inside the one that owns the network namespace. The sandbox holds no CAP_NET_ADMIN in either (its bounding set has
/// none), so it can neither change the rules nor reconfigure the interface.
/// </remarks>
internal static class SandboxNetwork
{
    private const uint NsGetUserns = 0xB701;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The tools this needs, by the package that brings each.</summary>
    private static readonly (string Tool, string Package)[] Tools =
        [("slirp4netns", "slirp4netns"), ("iptables-restore", "iptables"), ("ip6tables-restore", "iptables"), ("nsenter", "util-linux")];

    /// <summary>Names the first missing tool and how to install it, or null when all are there.</summary>
    public static string? MissingTool() =>
        Tools.Where(t => Locate(t.Tool) is null).Select(t => $"{t.Tool}, which is not installed (apt-get install {t.Package})").FirstOrDefault();

    /// <summary>Sets up the filter and the stack for <paramref name="record"/>'s sandbox, whose first process runs.</summary>
    /// <returns>The host pid of slirp4netns, which the sandbox's end does not stop (it holds the namespace itself): destroy kills it.</returns>
    /// <exception cref="ProviderException">A step failed; the message carries its output.</exception>
    public static int Start(LocalSandboxRecord record, SandboxPaths paths)
    {
        var pid = record.InitPid.ToString(CultureInfo.InvariantCulture);
        var netns = $"/proc/{pid}/ns/net";
        var netFd = LibC.Open(netns, LibC.O_RDONLY);
        if (netFd < 0)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, netns, LibC.ErrorText(LibC.LastError));
        }

        var userFd = LibC.Ioctl(netFd, NsGetUserns, (nint)0);
        var error = LibC.LastError;
        LibC.Close(netFd);
        if (userFd < 0)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, netns, LibC.ErrorText(error));
        }

        try
        {
            // Named through this process's descriptor table, so the helpers open the very namespace held here.
            var userns = $"/proc/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}/fd/{userFd.ToString(CultureInfo.InvariantCulture)}";
            LoadRules(record, paths, userns, netns);
            return StartStack(paths, userns, netns);
        }
        finally
        {
            LibC.Close(userFd);
        }
    }

    private static void LoadRules(LocalSandboxRecord record, SandboxPaths paths, string userns, string netns)
    {
        var hostAddresses = EgressRules.HostAddresses();
        var internet = record.Network == NetworkPolicy.Internet;
        var v4 = Path.Combine(paths.JailDir, "egress.v4");
        var v6 = Path.Combine(paths.JailDir, "egress.v6");
        File.WriteAllText(v4, EgressRules.For(ipv6: false, internet, record.NetworkAllow, hostAddresses));
        File.WriteAllText(v6, EgressRules.For(ipv6: true, internet, record.NetworkAllow, hostAddresses));
        var start = new ProcessStartInfo(Locate("nsenter")!) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        // Host root may act on any network namespace as it is; another user enters the owner user namespace, where it
        // is root (bubblewrap maps it to 0 there), keeping its ids so that its supplementary groups stay untouched.
        if (!Environment.IsPrivilegedProcess)
        {
            start.ArgumentList.Add("--preserve-credentials");
            start.ArgumentList.Add("--user=" + userns);
        }

        start.ArgumentList.Add("--net=" + netns);
        start.ArgumentList.Add("--");
        start.ArgumentList.Add("/bin/sh");
        start.ArgumentList.Add("-c");
        // A kernel without IPv6 has no IPv6 table to load, and no IPv6 to reach either.
        start.ArgumentList.Add("\"$1\" -w 5 \"$3\" && { [ ! -e /proc/net/if_inet6 ] || \"$2\" -w 5 \"$4\"; }");
        start.ArgumentList.Add("egress");
        start.ArgumentList.Add(Locate("iptables-restore")!);
        start.ArgumentList.Add(Locate("ip6tables-restore")!);
        start.ArgumentList.Add(v4);
        start.ArgumentList.Add(v6);
        using var process = Process.Start(start)
                            ?? throw new ProviderException(LocalProvider.ProviderId, "Could not start nsenter to load the sandbox's network filter.");
        var output = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new ProviderException(LocalProvider.ProviderId, "Loading the sandbox's network filter did not finish in time.");
        }

        if (process.ExitCode != 0)
        {
            throw new ProviderException(LocalProvider.ProviderId,
                $"Could not load the sandbox's network filter (iptables-restore, from the iptables package): {output.Result.Trim()}");
        }
    }

    private static unsafe int StartStack(SandboxPaths paths, string userns, string netns)
    {
        var readyFifo = Path.Combine(paths.JailDir, "network-ready");
        File.Delete(readyFifo);
        if (LibC.MkFifo(readyFifo, 0x180) != 0)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, readyFifo, LibC.ErrorText(LibC.LastError));
        }

        // Opened before the start, so the one byte slirp4netns writes once configured cannot be missed; a hang-up
        // without it means slirp4netns ended.
        var readyFd = LibC.Open(readyFifo, LibC.O_RDONLY | LibC.O_NONBLOCK);
        if (readyFd < 0)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, readyFifo, LibC.ErrorText(LibC.LastError));
        }

        try
        {
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            // Detached like the sandbox itself; it exits when the namespace's last process does. --enable-sandbox and
            // --enable-seccomp confine slirp4netns itself, which parses every packet the sandbox sends.
            start.ArgumentList.Add("""
                exec setsid "$5" --configure --mtu=65520 --disable-host-loopback --enable-sandbox --enable-seccomp \
                  --ready-fd=3 --userns-path="$1" --netns-type=path "$2" tap0 </dev/null >>"$3" 2>&1 3>"$4"
                """);
            start.ArgumentList.Add("slirp");
            start.ArgumentList.Add(userns);
            start.ArgumentList.Add(netns);
            start.ArgumentList.Add(paths.LogFile);
            start.ArgumentList.Add(readyFifo);
            start.ArgumentList.Add(Locate("slirp4netns")!);
            // Not a process group leader, so setsid runs slirp4netns in this very process: its pid is slirp4netns's.
            using var process = Process.Start(start)
                                ?? throw new ProviderException(LocalProvider.ProviderId, "Could not start slirp4netns.");

            var deadline = Stopwatch.GetTimestamp() + (long)(StepTimeout.TotalSeconds * Stopwatch.Frequency);
            var buffer = stackalloc byte[16];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var poll = new LibC.PollFd { Fd = readyFd, Events = LibC.POLLIN };
                LibC.Poll(&poll, 1, 20);
                if ((poll.Revents & LibC.POLLIN) != 0)
                {
                    if (LibC.Read(readyFd, buffer, 16) > 0)
                    {
                        return process.Id;
                    }
                }

                // Linux reports a hang-up on a FIFO only once a writer has come and gone: slirp4netns ended.
                if ((poll.Revents & LibC.POLLHUP) != 0)
                {
                    break;
                }
            }

            if (!process.HasExited)
            {
                process.Kill();
            }

            throw new ProviderException(LocalProvider.ProviderId,
                "slirp4netns did not connect the sandbox to the network" + LogTail(paths.LogFile));
        }
        finally
        {
            LibC.Close(readyFd);
        }
    }

    // The client's PATH may lack the system directories (a user's shell often does).
    private static string? Locate(string tool) =>
        BubblewrapProbe.Locate(tool) ?? new[] { "/usr/sbin/", "/sbin/" }.Select(d => d + tool).FirstOrDefault(File.Exists);

    private static string LogTail(string logFile)
    {
        try
        {
            // slirp4netns announces its seccomp support on every start: noise next to the reason it failed.
            var lines = File.ReadAllLines(logFile, Encoding.UTF8)
                .Where(l => !l.Contains("seccomp is experimental", StringComparison.Ordinal) && l.Trim().Length > 0).ToArray();
            return lines.Length == 0 ? "." : ": " + string.Join(" ", lines.TakeLast(3)).Trim();
        }
        catch (IOException)
        {
            return ".";
        }
    }
}
