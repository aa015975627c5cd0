using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// A network the test makes for itself, so that no test touches a real external address: a network namespace joined to
/// the host's by a veth pair, holding TCP servers that answer a marker line. The host side of the link gets the first
/// address of the subnet (a host address, like any interface's); the servers listen on the others. Needs root (veth
/// links in the host's namespace).
/// </summary>
public sealed class StandInNetwork : IDisposable
{
    private readonly Process _holder;
    private readonly string _hostLink;
    private readonly List<Process> _servers = [];

    /// <summary>Makes the namespace and the link: <paramref name="prefix"/> is three octets (203.0.113), the host gets .1, the namespace .2.</summary>
    /// <param name="prefix">The /24 to use, as three octets.</param>
    /// <param name="extraAddresses">More addresses (with prefix length) for the namespace, routed to it from the host.</param>
    public StandInNetwork(string prefix, params string[] extraAddresses)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Requires.Missing("a root test runner", "the stand-in network adds veth links to the host's namespace");
        }

        Requires.Executable("ip", "iproute2");
        HostAddress = prefix + ".1";
        Address = prefix + ".2";
        var tag = Guid.NewGuid().ToString("N")[..6];
        _hostLink = "sbxh" + tag;
        _holder = Process.Start(new ProcessStartInfo("unshare", ["--net", "--", "sleep", "infinity"]) { UseShellExecute = false })!;
        var pid = _holder.Id.ToString(CultureInfo.InvariantCulture);
        // unshare makes the namespace before it runs sleep: wait until the holder is in another namespace than ours.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ReadLink($"/proc/{pid}/ns/net") == ReadLink("/proc/self/ns/net") && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Run("ip", "link", "add", _hostLink, "type", "veth", "peer", "name", "sbxn" + tag, "netns", pid);
        Run("ip", "addr", "add", HostAddress + "/24", "dev", _hostLink);
        Run("ip", "link", "set", _hostLink, "up");
        InNamespace("ip", "link", "set", "lo", "up");
        InNamespace("ip", "addr", "add", Address + "/24", "dev", "sbxn" + tag);
        InNamespace("ip", "link", "set", "sbxn" + tag, "up");
        InNamespace("ip", "route", "add", "default", "via", HostAddress);
        foreach (var extra in extraAddresses)
        {
            InNamespace("ip", "addr", "add", extra, "dev", "sbxn" + tag);
            Run("ip", "route", "add", extra, "dev", _hostLink);
        }
    }

    /// <summary>The host's address on the link.</summary>
    public string HostAddress { get; }

    /// <summary>The namespace's address.</summary>
    public string Address { get; }

    /// <summary>Starts a server in the namespace on <paramref name="address"/> answering <paramref name="marker"/>; returns its port.</summary>
    public int Serve(string address, string marker)
    {
        var start = new ProcessStartInfo("nsenter", ["--net=/proc/" + _holder.Id + "/ns/net", "--", "/usr/bin/python3", "-u", "-c", """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], 0)); s.listen(16)
            print(s.getsockname()[1], flush=True)
            while True:
                c, _ = s.accept(); c.sendall((sys.argv[2] + "\n").encode()); c.close()
            """, address, marker]) { UseShellExecute = false, RedirectStandardOutput = true };
        var server = Process.Start(start)!;
        _servers.Add(server);
        var line = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the stand-in server did not start");
        return int.Parse(line, CultureInfo.InvariantCulture);
    }

    /// <summary>Removes the servers, the namespace and the link (the link's routes go with it).</summary>
    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Kill();
            server.WaitForExit();
            server.Dispose();
        }

        _holder.Kill();
        _holder.WaitForExit();
        _holder.Dispose();
        try
        {
            Run("ip", "link", "del", _hostLink);
        }
        catch (InvalidOperationException)
        {
            // Gone with the namespace already (deleting either end of a veth pair deletes both).
        }
    }

    private void InNamespace(params string[] arguments) => Run(["nsenter", "--net=/proc/" + _holder.Id + "/ns/net", "--", .. arguments]);

    private static void Run(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(arguments[0], arguments[1..])
        {
            UseShellExecute = false, RedirectStandardError = true,
        })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', arguments)}: {error.Trim()}");
        }
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
