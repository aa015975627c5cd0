using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>Terminals: execs with a TTY, resized through the exec resize endpoint.</summary>
internal sealed partial class DockerProvider
{
    private static readonly byte[] PidAnnouncement = "\u001b]sandboxes-pid;"u8.ToArray();

    // Terminals opened by this client, by sandbox and pid: the exec id behind a pid is known only to the client that opened it.
    private readonly ConcurrentDictionary<(string Sandbox, int Pid), (DockerPtySession Session, string ExecId)> _terminals = new();

    public override async Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken)
    {
        await ValidateCommandAsync(sandboxId, new RunCommandRequest(request.Command ?? string.Empty)
        {
            Env = request.Env, User = request.User, Cwd = request.Cwd,
        }, cancellationToken).ConfigureAwait(false);
        var nonce = NewNonce();
        var variables = new List<string>();
        if (request.Env?.ContainsKey("TERM") != true)
        {
            variables.Add("TERM=xterm-256color");
        }

        variables.AddRange((request.Env ?? new Dictionary<string, string>()).Select(p => EnvPair(p.Key, p.Value)));
        variables.Add($"{KitScripts.ExecVariable}={nonce}");
        variables.Add($"{KitScripts.HelperVariable}=1");
        var spec = new ExecSpec
        {
            Cmd = ["/bin/sh", "-c", DockerScripts.Terminal, "sandboxes-terminal", request.Command ?? string.Empty],
            Env = variables,
            User = string.IsNullOrEmpty(request.User) ? null : request.User,
            WorkingDir = string.IsNullOrEmpty(request.Cwd) ? null : DockerPath.Normalize(request.Cwd),
            Stdin = true,
            Tty = true,
            ConsoleSize = (request.Rows, request.Cols),
        };
        var (execId, connection) = await StartExecAsync(sandboxId, spec, cancellationToken).ConfigureAwait(false);
        try
        {
            var (pid, pending) = await ReadAnnouncementAsync(connection, cancellationToken).ConfigureAwait(false);
            var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Not every engine applies ConsoleSize: set the size explicitly before anyone types.
            try
            {
                await ResizeExecAsync(sandboxId, execId, pid, request.Rows, request.Cols, cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderException)
            {
                // A command that already ended has no terminal left to size; its output is still there to read. The
                // engine may report the exec running for a moment after its terminal went (podman answers "broken pipe"
                // then), so it is asked again, for two seconds at most, before the failure counts.
                if (!await HasEndedWithinAsync(execId, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
            var session = new DockerPtySession(connection, pending, pid, request.Rows, request.Cols,
                (rows, cols, token) => ResizeExecAsync(sandboxId, execId, pid, rows, cols, token),
                signal => KillTreeAsync(sandboxId, nonce, signal),
                token => exited.Task.WaitAsync(token),
                closed => _terminals.TryRemove((sandboxId, closed.Pid), out _));
            _terminals[(sandboxId, pid)] = (session, execId);
            _ = WatchAsync(sandboxId, pid, execId, exited);
            return session;
        }
        catch
        {
            await KillTreeAsync(sandboxId, nonce, "KILL").ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> HasEndedWithinAsync(string execId, TimeSpan bound, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await IsRunningAsync(execId, cancellationToken).ConfigureAwait(false))
        {
            if (waited.Elapsed >= bound)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public override async Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken) =>
        await Terminal(sandboxId, pid).Session.ResizeAsync(rows, cols, cancellationToken).ConfigureAwait(false);

    public override async Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken)
    {
        var (session, _) = Terminal(sandboxId, pid);
        await session.KillAsync(cancellationToken).ConfigureAwait(false);
        _terminals.TryRemove((sandboxId, pid), out _);
    }

    public override async Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await InspectAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return _terminals.Where(t => t.Key.Sandbox == sandboxId).Select(t => t.Value.Session.Info).OrderBy(i => i.Pid).ToList();
    }

    /// <summary>
    /// Resizes through the engine, then sets the same size on the terminal from inside the container, which is done when
    /// the helper returns: Podman acknowledges a resize before its conmon applies it, and under load a program read the
    /// old size (0 0 for a new terminal) after the acknowledgement, or never saw the new one (two terminals in one run of
    /// the docker tests here; none in 12 runs of the terminal tests alone). Where the engine's resize has arrived, the
    /// second setting finds the size already there and changes nothing. A program whose standard streams all left the
    /// terminal keeps the engine's resize only.
    /// </summary>
    private async Task ResizeExecAsync(string sandboxId, string execId, int pid, int rows, int cols, CancellationToken cancellationToken)
    {
        var client = await SandboxClientAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        await Call(sandboxId, () => client.ExecResizeAsync(execId, rows, cols, cancellationToken)).ConfigureAwait(false);
        await RunHelperAsync(sandboxId, DockerScripts.TerminalSize,
            [pid.ToString(CultureInfo.InvariantCulture), rows.ToString(CultureInfo.InvariantCulture), cols.ToString(CultureInfo.InvariantCulture)],
            asRoot: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsRunningAsync(string execId, CancellationToken cancellationToken)
    {
        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        return (await client.ExecInspectAsync(execId, cancellationToken).ConfigureAwait(false)).Running == true;
    }

    private (DockerPtySession Session, string ExecId) Terminal(string sandboxId, int pid) =>
        _terminals.TryGetValue((sandboxId, pid), out var terminal)
            ? terminal
            : throw new NotFoundException(ProviderId, $"This client has no terminal with pid {pid} in sandbox {DockerErrors.Short(sandboxId)}.");

    private async Task WatchAsync(string sandboxId, int pid, string execId, TaskCompletionSource<int> exited)
    {
        // Records the exit code while the engine still has it (Podman forgets an exec some seconds after it ended), and
        // takes a terminal whose program exited on its own off the listing.
        try
        {
            var client = await _engine.ClientAsync(CancellationToken.None).ConfigureAwait(false);
            while (true)
            {
                var exec = await client.ExecInspectAsync(execId).ConfigureAwait(false);
                if (exec.Running != true)
                {
                    // Podman reports a stopped exec with exit code 0 for some tens of milliseconds before it has read the
                    // real code; a zero is therefore confirmed a little later (Docker's first answer is already final).
                    for (var confirm = 0; confirm < 3 && exec.ExitCode is null or 0; confirm++)
                    {
                        await Task.Delay(100).ConfigureAwait(false);
                        exec = await client.ExecInspectAsync(execId).ConfigureAwait(false);
                    }

                    exited.TrySetResult((int)(exec.ExitCode ?? -1));
                    return;
                }

                await Task.Delay(250).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SandboxException or ObjectDisposedException)
        {
            exited.TrySetException(e);
        }
        finally
        {
            _terminals.TryRemove((sandboxId, pid), out _);
        }
    }

    private async Task CloseTerminalsOfAsync(string sandboxId)
    {
        foreach (var key in _terminals.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            if (_terminals.TryRemove(key, out var terminal))
            {
                await terminal.Session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<(int Pid, ReadOnlyMemory<byte> Pending)> ReadAnnouncementAsync(HijackedConnection connection, CancellationToken cancellationToken)
    {
        // The terminal script's first bytes are ESC ] sandboxes-pid ; PID BEL; whatever follows is the program's own output.
        var buffer = new byte[4096];
        var filled = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var bell = Array.IndexOf(buffer, (byte)7, 0, filled);
            if (bell >= 0)
            {
                var start = buffer.AsSpan(0, filled).IndexOf(PidAnnouncement);
                if (start >= 0 && int.TryParse(Encoding.ASCII.GetString(buffer, start + PidAnnouncement.Length, bell - start - PidAnnouncement.Length),
                        NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    return (pid, buffer.AsMemory(bell + 1, filled - bell - 1));
                }

                break;
            }

            if (filled == buffer.Length)
            {
                break;
            }

            var n = await connection.ReadAsync(buffer.AsMemory(filled), timeout.Token).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        throw new ProviderException(ProviderId,
            "The terminal did not start: " + Encoding.UTF8.GetString(buffer, 0, filled).Trim());
    }
}
