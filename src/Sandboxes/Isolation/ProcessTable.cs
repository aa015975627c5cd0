using System.Globalization;
using System.Text;

namespace Sandboxes.Isolation;

/// <summary>Reads the host's /proc to find, describe and signal a sandbox's processes without entering the sandbox.</summary>
internal static class ProcessTable
{
    /// <summary>The start time of a process (clock ticks since boot), or null when it does not exist.</summary>
    public static ulong? StartTime(int pid) => ReadStat(pid)?.StartTime;

    /// <summary>The start time of the process whose <c>/proc/PID</c> directory is open as <paramref name="procDirFd"/>, or null once it is gone.</summary>
    public static unsafe ulong? StartTimeAt(int procDirFd)
    {
        var fd = LibC.OpenAt2(procDirFd, "stat", LibC.O_RDONLY, 0, LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_SYMLINKS);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var buffer = stackalloc byte[1024];
            var n = (int)LibC.Read(fd, buffer, 1024);
            return n > 0 ? ParseStat(System.Text.Encoding.UTF8.GetString(buffer, n))?.StartTime : null;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>True when <paramref name="pid"/> is alive and is the process that started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, ulong startTime) =>
        pid > 0 && ReadStat(pid) is { } stat && stat.StartTime == startTime && stat.State != 'Z' && stat.State != 'X';

    /// <summary>The pid-namespace inode of a process, or null.</summary>
    public static string? PidNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The processes of a sandbox: those in the pid namespace of <paramref name="initPid"/> (namespace isolation), or
    /// <paramref name="initPid"/> and its descendants (process isolation).
    /// </summary>
    public static List<HostProcess> SandboxProcesses(int initPid, bool namespaces)
    {
        var all = new List<HostProcess>();
        var ns = namespaces ? PidNamespace(initPid) : null;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (namespaces && (ns is null || PidNamespace(pid) != ns))
            {
                continue;
            }

            if (Describe(pid) is { } process)
            {
                all.Add(process);
            }
        }

        return namespaces ? all : Descendants(all, initPid, includeRoot: true);
    }

    /// <summary>The processes below <paramref name="rootHostPid"/> in the parent tree (and the root itself when asked).</summary>
    public static List<HostProcess> Descendants(IReadOnlyList<HostProcess> processes, int rootHostPid, bool includeRoot)
    {
        var byParent = processes.ToLookup(p => p.ParentHostPid);
        var result = new List<HostProcess>();
        var queue = new Queue<int>();
        queue.Enqueue(rootHostPid);
        if (includeRoot && processes.FirstOrDefault(p => p.HostPid == rootHostPid) is { } root)
        {
            result.Add(root);
        }

        while (queue.Count > 0)
        {
            foreach (var child in byParent[queue.Dequeue()])
            {
                result.Add(child);
                queue.Enqueue(child.HostPid);
            }
        }

        return result;
    }

    /// <summary>Describes one process, or null when it is gone.</summary>
    public static HostProcess? Describe(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null)
        {
            return null;
        }

        var sandboxPid = pid;
        var uid = -1;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var fields = line[6..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                    sandboxPid = int.Parse(fields[^1], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var fields = line[4..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                    uid = int.Parse(fields[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            return null;
        }

        string commandLine;
        try
        {
            var raw = File.ReadAllBytes($"/proc/{pid}/cmdline");
            commandLine = Encoding.UTF8.GetString(raw).TrimEnd('\0').Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }

        return new HostProcess(pid, sandboxPid, stat.Value.ParentPid, uid, stat.Value.State, commandLine.Length > 0 ? commandLine : $"[{stat.Value.Name}]");
    }

    /// <summary>Sends SIGSTOP to a tree first, so nothing forks while it is being killed, then SIGKILL, until none is left.</summary>
    public static void KillTree(int initPid, bool namespaces, int rootHostPid)
    {
        for (var round = 0; round < 20; round++)
        {
            var tree = Descendants(SandboxProcesses(initPid, namespaces), rootHostPid, includeRoot: true);
            if (tree.Count == 0)
            {
                return;
            }

            foreach (var p in tree)
            {
                LibC.Kill(p.HostPid, (int)ProcessSignal.Stop);
            }

            foreach (var p in tree)
            {
                LibC.Kill(p.HostPid, (int)ProcessSignal.Kill);
            }

            Thread.Sleep(1);
        }
    }

    private static (int ParentPid, char State, ulong StartTime, string Name)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return ParseStat(text);
    }

    /// <summary>True once the process has a controlling terminal (its session was given one).</summary>
    public static bool HasControllingTerminal(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state(0) ppid(1) pgrp(2) session(3) tty_nr(4).
            return fields.Length > 4 && fields[4] != "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static (int ParentPid, char State, ulong StartTime, string Name)? ParseStat(string text)
    {
        // The command name is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20)
        {
            return null;
        }

        // After the name: state(0) ppid(1) ... starttime is field 22 of the whole line, index 19 here.
        return (int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0], ulong.Parse(fields[19], CultureInfo.InvariantCulture),
            text[(open + 1)..close]);
    }
}
