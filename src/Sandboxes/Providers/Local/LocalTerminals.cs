using System.Globalization;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Starts terminal programs in a local sandbox. A terminal is a pseudo-terminal of the sandbox's own devpts: this
/// process opens its master through the sandbox's <c>/dev/ptmx</c> (resolved inside the sandbox's root, checked to be
/// the pty multiplexer), and the agent starts the program as an ordinary job, in a session of its own with the
/// terminal's slave as its controlling terminal. So the program has exactly what every command has (namespaces,
/// user, seccomp filter, capabilities), and nothing enters the sandbox from outside.
/// </summary>
internal static class LocalTerminals
{
    /// <summary>The pty multiplexer's device numbers.</summary>
    private const uint PtmxMajor = 5;

    private const uint PtmxMinor = 2;

    public static async Task<LocalPtySession> StartAsync(LocalSandbox sandbox, CreatePtyRequest request, Action<LocalPtySession> onClosed,
        CancellationToken cancellationToken)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["TERM"] = "xterm-256color" };
        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var command = new RunCommandRequest(request.Command ?? string.Empty) { Cwd = request.Cwd, User = request.User, Env = env };
        var master = OpenMaster(sandbox, request.User);
        try
        {
            var number = Unlock(master);
            SetSize(master, request.Rows, request.Cols);
            // The slave's name in the devpts instance the master came from: the sandbox's own (or the host's, in process isolation).
            var slave = "/dev/pts/" + number.ToString(CultureInfo.InvariantCulture);
            GiveSlave(sandbox, master, request.User);
            using var run = sandbox.OpenRunDirectory();
            var job = sandbox.Commands.Prepare(run, command, background: true, terminal: slave);
            var handle = await sandbox.Commands.StartPreparedAsync(run, job, command, cancellationToken).ConfigureAwait(false);
            await WaitForTerminalAsync(sandbox, handle.Pid, cancellationToken).ConfigureAwait(false);
            return new LocalPtySession(sandbox, master, job, handle.Pid, request.Rows, request.Cols, onClosed);
        }
        catch
        {
            LibC.Close(master);
            throw;
        }
    }

    // Returns once the program holds its terminal (setsid -c has run), so that what the caller types next is read by the
    // program and not lost to a shell that sets its terminal up; bounded, since the program may also have ended at once.
    private static async Task WaitForTerminalAsync(LocalSandbox sandbox, int sandboxPid, CancellationToken cancellationToken)
    {
        for (var waited = 0; waited < 2000; waited += 5)
        {
            var process = ProcessTable.SandboxProcesses(sandbox.Record.InitPid, sandbox.Record.Namespaces).FirstOrDefault(p => p.SandboxPid == sandboxPid);
            if (process is null || ProcessTable.HasControllingTerminal(process.HostPid))
            {
                return;
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sets a terminal's size on its master.</summary>
    public static unsafe void SetSize(int master, int rows, int cols)
    {
        var size = new LibC.WinSize { Rows = (ushort)rows, Cols = (ushort)cols };
        if (LibC.Ioctl(master, LibC.TIOCSWINSZ, &size) != 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, "Could not resize the terminal: " + LibC.ErrorText(LibC.LastError));
        }
    }

    // The master of a new terminal of the sandbox's devpts: dev/ptmx resolved inside the sandbox's root (a link planted
    // there resolves inside it too), opened without blocking, and refused unless it is the pty multiplexer itself.
    private static int OpenMaster(LocalSandbox sandbox, string? user)
    {
        int fd;
        if (sandbox.Record.Namespaces)
        {
            var root = sandbox.OpenRoot();
            try
            {
                // Opened as the sandbox's root, so the new terminal is born its (a sandbox's devpts takes no other owner).
                using (FsCredentials.As(sandbox.Identity.RootOwner))
                {
                    fd = LibC.OpenAt2(root, "dev/ptmx", LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK, 0,
                        LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
                }
            }
            finally
            {
                LibC.Close(root);
            }
        }
        else
        {
            fd = LibC.Open("/dev/ptmx", LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK);
        }

        if (fd < 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, "Could not open a pseudo-terminal: " + LibC.ErrorText(LibC.LastError));
        }

        if (LibC.FStat(fd, out var st) != 0 || (st.Mode & LibC.S_IFMT) != LibC.S_IFCHR || st.RdevMajor != PtmxMajor || st.RdevMinor != PtmxMinor)
        {
            LibC.Close(fd);
            throw new SandboxStateException(LocalProvider.ProviderId, sandbox.Id, SandboxStatus.Error,
                $"The sandbox {sandbox.Id} has replaced its /dev/ptmx with something that is not the pseudo-terminal multiplexer; no terminal was opened.");
        }

        return fd;
    }

    private static unsafe int Unlock(int master)
    {
        int unlock = 0, number = 0;
        if (LibC.Ioctl(master, LibC.TIOCSPTLCK, &unlock) != 0 || LibC.Ioctl(master, LibC.TIOCGPTN, &number) != 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, "Could not set up the pseudo-terminal: " + LibC.ErrorText(LibC.LastError));
        }

        return number;
    }

    // The slave is reached through the master (TIOCGPTPEER), not by a path, and given to the user the program runs as.
    private static void GiveSlave(LocalSandbox sandbox, int master, string? user)
    {
        if (!sandbox.Identity.Mapped)
        {
            return; // this process's own user, which is the sandbox's
        }

        var (uid, gid) = user is { Length: > 0 } u ? sandbox.ResolveHostOwner(u) : sandbox.Identity.RootOwner!.Value;
        var slave = LibC.Ioctl(master, LibC.TIOCGPTPEER, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
        if (slave < 0)
        {
            throw new ProviderException(LocalProvider.ProviderId, "Could not reach the pseudo-terminal's slave: " + LibC.ErrorText(LibC.LastError));
        }

        try
        {
            if (LibC.FChown(slave, uid, gid) != 0)
            {
                throw new ProviderException(LocalProvider.ProviderId, "Could not give the terminal to its user: " + LibC.ErrorText(LibC.LastError));
            }
        }
        finally
        {
            LibC.Close(slave);
        }
    }
}
