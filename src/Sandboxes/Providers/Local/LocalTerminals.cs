using System.Globalization;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Starts terminal programs in a local sandbox. The agent cannot hand out a terminal the host holds, so a terminal's
/// program enters the sandbox with nsenter (after joining its cgroups), drops to the sandbox's capability set or user
/// with setpriv, and gets the terminal as its controlling terminal with <c>setsid -c</c>.
/// </summary>
internal static class LocalTerminals
{
    // $1 is the slave; then cgroup.procs files up to "--", then the command. Opening the slave on 0-2 before setsid -c
    // makes it the new session's controlling terminal. Signals this process ignores (SIGPIPE) are reset for the program.
    private static readonly string Launcher = $$"""
        slave="$1"; shift
        while [ "$1" != "--" ]; do echo $$ >"$1" || exit 97; shift; done
        shift
        exec {{AgentScript.ResetSignalsCommand}} setsid -c "$@" <>"$slave" >&0 2>&0
        """;

    private static readonly string BoundingSet =
        "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setuid,+setgid,+net_bind_service";

    public static LocalPtySession Start(LocalSandbox sandbox, CreatePtyRequest request, Action<LocalPtySession> onClosed)
    {
        var record = sandbox.Record;
        var cwd = request.Cwd is { Length: > 0 } c ? SandboxPath.Normalize(c).Absolute : SandboxPath.Workspace;
        if (!sandbox.Files.IsDirectory(cwd))
        {
            throw new BadConfigException(LocalProvider.ProviderId, $"CreatePtyRequest.Cwd '{cwd}' is not a directory in the sandbox.");
        }

        (int Uid, int Gid)? user = request.User is { Length: > 0 } u ? sandbox.ResolveUser(u) : null;
        var home = user is { Uid: not 0 } ? "/home/user" : record.Namespaces ? "/root" : sandbox.Paths.WorkspaceDir;
        var environment = SandboxLauncher.BaseEnvironment(record, home);
        environment["TERM"] = "xterm-256color";
        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            if (!ShellQuote.IsVariableName(key))
            {
                throw new BadConfigException(LocalProvider.ProviderId, $"'{key}' is not a valid environment variable name.");
            }

            environment[key] = value;
        }

        var argv = new List<string>();
        argv.AddRange(record.Cgroups.Select(d => Path.Combine(d, "cgroup.procs")));
        argv.Add("--");
        if (record.Namespaces)
        {
            var pid = record.InitPid.ToString(CultureInfo.InvariantCulture);
            argv.AddRange(["nsenter", "-t", pid, "-m", "-u", "-i", "-n", "-p", "-r", "-W", cwd]);
            if (LibC.GetEuid() != 0)
            {
                argv.AddRange(["-U", "--preserve-credentials"]);
            }

            argv.Add("--");
        }

        argv.Add("setpriv");
        if (user is { } ids)
        {
            argv.AddRange([$"--reuid={ids.Uid}", $"--regid={ids.Gid}", "--clear-groups"]);
        }
        else if (LibC.GetEuid() == 0)
        {
            argv.Add("--bounding-set=" + BoundingSet);
        }

        argv.AddRange(["--no-new-privs", "--"]);
        if (request.Command is { Length: > 0 } command)
        {
            argv.AddRange(["/bin/sh", "-c", record.Namespaces ? command : $"cd {ShellQuote.Quote(sandbox.CommandPath(cwd))} && {command}"]);
        }
        else
        {
            argv.AddRange(record.Namespaces ? ["/bin/sh", "-i"] : ["/bin/sh", "-c", $"cd {ShellQuote.Quote(sandbox.CommandPath(cwd))} && exec /bin/sh -i"]);
        }

        var devRoot = record.Namespaces ? $"/proc/{record.InitPid}/root/dev" : "/dev";
        return LocalPtySession.Start(devRoot, Launcher, argv, environment, request.Rows, request.Cols, launcherPid =>
        {
            if (!record.Namespaces)
            {
                return launcherPid;
            }

            // nsenter forks into the pid namespace: the program is its child.
            var child = ProcessTable.SandboxProcesses(record.InitPid, namespaces: true).FirstOrDefault(p => p.ParentHostPid == launcherPid);
            return child?.SandboxPid;
        }, onClosed);
    }
}
