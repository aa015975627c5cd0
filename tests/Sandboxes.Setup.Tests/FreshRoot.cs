using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Setup.Tests;

/// <summary>
/// A throwaway Debian bookworm root (debootstrap minbase: none of the set-up's packages), with the host's apt sources,
/// its /proc, /sys and /dev, name resolution and a cache for downloaded packages, ready for <c>chroot</c>.
/// </summary>
/// <remarks>
/// The minbase root and the downloaded packages are kept in /var/cache/sandboxes-setup-test between runs: neither is an
/// install on the machine (the root is extracted fresh every time and starts with nothing installed), they only spare
/// the network.
/// </remarks>
public sealed class FreshRoot : IDisposable
{
    private const string Cache = "/var/cache/sandboxes-setup-test";
    private readonly List<string> _mounts = [];

    private FreshRoot(string path) => Path = path;

    /// <summary>The root's host path.</summary>
    public string Path { get; }

    /// <summary>Makes a fresh root (building the cached minbase tar first when missing).</summary>
    public static FreshRoot Create()
    {
        Directory.CreateDirectory(Cache);
        var tar = System.IO.Path.Combine(Cache, "bookworm-minbase.tar");
        if (!File.Exists(tar))
        {
            var tree = Directory.CreateTempSubdirectory("sandboxes-minbase-").FullName;
            try
            {
                Run("debootstrap", "--variant=minbase", "bookworm", tree, Environment.GetEnvironmentVariable("SANDBOXES_DEBIAN_MIRROR") ?? "http://deb.debian.org/debian");
                Run("tar", "--numeric-owner", "-C", tree, "-cf", tar + ".partial", ".");
                File.Move(tar + ".partial", tar);
            }
            finally
            {
                Run("rm", "-rf", tree);
            }
        }

        var root = new FreshRoot(Directory.CreateTempSubdirectory("sandboxes-fresh-root-").FullName);
        Run("tar", "--numeric-owner", "-C", root.Path, "-xf", tar);
        // The host's package sources and apt settings: the same packages a fresh machine like this one would get.
        foreach (var dir in new[] { "sources.list.d", "apt.conf.d" })
        {
            if (Directory.Exists("/etc/apt/" + dir))
            {
                Run("cp", "-a", "/etc/apt/" + dir + "/.", System.IO.Path.Combine(root.Path, "etc", "apt", dir));
            }
        }

        File.Copy("/etc/resolv.conf", System.IO.Path.Combine(root.Path, "etc", "resolv.conf"), overwrite: true);
        // A throwaway root needs neither fsync nor manuals: dpkg unpacks several times faster without them.
        File.WriteAllText(System.IO.Path.Combine(root.Path, "etc", "dpkg", "dpkg.cfg.d", "sandboxes-throwaway"),
            "force-unsafe-io\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/doc/*\npath-exclude=/usr/share/locale/*\n");
        // The machine's own trust settings (a CA its network needs, npm's CA file): part of the machine, not of the set-up.
        if (Directory.Exists("/usr/local/share/ca-certificates"))
        {
            Run("cp", "-a", "/usr/local/share/ca-certificates/.", System.IO.Path.Combine(root.Path, "usr", "local", "share", "ca-certificates"));
        }

        if (File.Exists("/etc/npmrc"))
        {
            File.Copy("/etc/npmrc", System.IO.Path.Combine(root.Path, "etc", "npmrc"), overwrite: true);
        }

        var archives = System.IO.Path.Combine(Cache, "archives");
        Directory.CreateDirectory(System.IO.Path.Combine(archives, "partial"));
        root.Bind("/proc", "proc", "--rbind");
        root.Bind("/sys", "sys", "--rbind");
        root.Bind("/dev", "dev", "--rbind");
        root.Bind(archives, "var/cache/apt/archives", "--bind");
        return root;
    }

    /// <summary>Runs a command line in the root as root; returns its exit code and its output.</summary>
    public (int ExitCode, string Output) Chroot(string commandLine, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("chroot") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path, "/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8",
                     "/bin/bash", "-c", commandLine })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{commandLine}' in the fresh root did not end within {timeout}.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Copies a host file into the root.</summary>
    public void CopyIn(string hostFile, string rootPath)
    {
        var target = System.IO.Path.Combine(Path, rootPath.TrimStart('/'));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Copy(hostFile, target, overwrite: true);
    }

    /// <summary>Unmounts everything and removes the root.</summary>
    public void Dispose()
    {
        foreach (var mount in Enumerable.Reverse(_mounts))
        {
            Run("umount", "-R", "-l", mount);
        }

        Run("rm", "-rf", "--one-file-system", Path);
    }

    private void Bind(string source, string target, string how)
    {
        var path = System.IO.Path.Combine(Path, target);
        Directory.CreateDirectory(path);
        Run("mount", how, source, path);
        // Slave: unmounting inside this copy must never unmount the host's own mounts below /sys or /dev.
        Run("mount", "--make-rslave", path);
        _mounts.Add(path);
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {output}");
        }
    }
}
