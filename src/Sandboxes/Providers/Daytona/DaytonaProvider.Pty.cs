using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using Sandboxes.CodeExecution;
using Sandboxes.Providers.Daytona.Toolbox;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// Terminals are toolbox PTY sessions. Daytona names them by id and reports no pid, so each session is given an
/// environment variable naming it (<see cref="PtyMarker"/>), and the pid of its program is read from <c>/proc</c> by a
/// command: any client can then go from a pid to the session. A session runs the user's shell; a requested command is
/// typed into it (<c>exec /bin/sh -c ...</c>), so the terminal shows that line first.
/// </summary>
internal sealed partial class DaytonaProvider
{
    /// <summary>The environment variable that names a terminal's session in its processes.</summary>
    internal const string PtyMarker = "SANDBOXES_PTY";

    private const string PtyPrefix = "sbx-pty-";

    private readonly ConcurrentDictionary<(string Sandbox, int Pid), string> _ptySessions = new();

    // The sessions this client opened, so that a resize through the provider also updates the session's Info.
    private readonly ConcurrentDictionary<(string Sandbox, int Pid), WeakReference<DaytonaPtySession>> _ptyHandles = new();

    public override async Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken)
    {
        var id = PtyPrefix + Nonce.New();
        var envs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Env ?? new Dictionary<string, string>())
        {
            envs[ShellQuote.IsVariableName(name) ? name : throw new BadConfigException(ProviderId, $"'{name}' is not a valid environment variable name.")] = value;
        }

        envs[PtyMarker] = id;
        var cwd = request.Cwd is { Length: > 0 } c ? await ResolveAsync(sandboxId, c, cancellationToken).ConfigureAwait(false) : null;
        // Started lazily, on the first connection: output written before a client attaches would be lost.
        await InSandboxAsync(sandboxId, toolbox => toolbox.CreatePtySessionAsync(new PtyCreateRequest
        {
            Id = id, Rows = request.Rows, Cols = request.Cols, Cwd = cwd, Envs = envs, LazyStart = true,
        }, cancellationToken), notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);

        var toolbox = await ToolboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var socket = new ClientWebSocket();
        DaytonaPtySession? session = null;
        try
        {
            foreach (var (name, value) in toolbox.Headers)
            {
                socket.Options.SetRequestHeader(name, value);
            }

            socket.Options.AddSubProtocol(DaytonaPtySession.ExitControlSubprotocol);
            await ConnectAsync(socket, toolbox.WebSocketUri($"/process/pty/{id}/connect"), sandboxId, cancellationToken).ConfigureAwait(false);
            session = new DaytonaPtySession(socket, id, request.Rows, request.Cols,
                (rows, cols, ct) => ResizeSessionAsync(sandboxId, id, rows, cols, ct),
                ct => DeletePtySessionAsync(sandboxId, id, ct));
            using (var attach = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attach.CancelAfter(TimeSpan.FromSeconds(10));
                await session.WaitForConnectedAsync(attach.Token).ConfigureAwait(false);
            }

            // The shell's pid, found before a command is typed: exec keeps it, and a short command may be gone by then.
            session.PidValue = await PtyPidAsync(sandboxId, id, cancellationToken).ConfigureAwait(false);
            _ptySessions[(sandboxId, session.PidValue)] = id;
            _ptyHandles[(sandboxId, session.PidValue)] = new WeakReference<DaytonaPtySession>(session);
            if (request.Command is { Length: > 0 } command)
            {
                await session.WriteAsync("exec /bin/sh -c " + ShellQuote.Quote(command) + "\n", cancellationToken).ConfigureAwait(false);
            }

            return session;
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
                await DeletePtySessionQuietlyAsync(sandboxId, id).ConfigureAwait(false);
            }

            throw;
        }
    }

    public override async Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken)
    {
        var id = await PtySessionIdAsync(sandboxId, pid, cancellationToken).ConfigureAwait(false);
        await ResizeSessionAsync(sandboxId, id, rows, cols, cancellationToken).ConfigureAwait(false);
        if (_ptyHandles.TryGetValue((sandboxId, pid), out var handle) && handle.TryGetTarget(out var session))
        {
            session.Resized(rows, cols);
        }
    }

    public override async Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken)
    {
        var id = await PtySessionIdAsync(sandboxId, pid, cancellationToken).ConfigureAwait(false);
        await DeletePtySessionAsync(sandboxId, id, cancellationToken).ConfigureAwait(false);
        _ptySessions.TryRemove((sandboxId, pid), out _);
        _ptyHandles.TryRemove((sandboxId, pid), out _);
    }

    /// <summary>The active sessions whose program still runs, with its pid.</summary>
    public override async Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var sessions = await InSandboxAsync(sandboxId, toolbox => toolbox.ListPtySessionsAsync(cancellationToken), notFoundIsAnswer: false,
            cancellationToken).ConfigureAwait(false);
        var pids = await PtyPidsAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var terminals = new List<PtyInfo>();
        foreach (var session in sessions.Sessions.Where(s => s.Active))
        {
            if (pids.TryGetValue(session.Id, out var pid))
            {
                terminals.Add(new PtyInfo(pid, (int)session.Rows, (int)session.Cols));
            }
        }

        return terminals;
    }

    private Task ResizeSessionAsync(string sandboxId, string sessionId, int rows, int cols, CancellationToken cancellationToken) =>
        InSandboxAsync(sandboxId, toolbox => toolbox.ResizePtySessionAsync(sessionId, new PtyResizeRequest { Rows = rows, Cols = cols }, cancellationToken),
            notFoundIsAnswer: false, cancellationToken);

    private async Task DeletePtySessionAsync(string sandboxId, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await InSandboxAsync(sandboxId, toolbox => toolbox.DeletePtySessionAsync(sessionId, cancellationToken), notFoundIsAnswer: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Ended already.
        }
    }

    private async Task DeletePtySessionQuietlyAsync(string sandboxId, string sessionId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await DeletePtySessionAsync(sandboxId, sessionId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SandboxException or OperationCanceledException)
        {
            // The failure being reported matters more.
        }
    }

    /// <summary>The session of a terminal's pid: remembered for terminals this client opened, else read from the sandbox.</summary>
    private async Task<string> PtySessionIdAsync(string sandboxId, int pid, CancellationToken cancellationToken)
    {
        if (_ptySessions.TryGetValue((sandboxId, pid), out var known))
        {
            return known;
        }

        var pids = await PtyPidsAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        foreach (var (session, sessionPid) in pids)
        {
            _ptySessions[(sandboxId, sessionPid)] = session;
        }

        return pids.FirstOrDefault(p => p.Value == pid).Key
               ?? throw new NotFoundException(ProviderId, $"Daytona sandbox {sandboxId} has no terminal with pid {pid.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>The pid of a new session's program; the shell may take a moment to start after the attach.</summary>
    private async Task<int> PtyPidAsync(string sandboxId, string sessionId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var pids = await PtyPidsAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            if (pids.TryGetValue(sessionId, out var pid))
            {
                return pid;
            }

            if (attempt == 20)
            {
                throw new ProviderException(ProviderId, $"The program of PTY session {sessionId} could not be found in the sandbox.");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every terminal's session and pid: the processes whose environment names a session while their parent's does not
    /// (the programs the sessions started, not their children).
    /// </summary>
    private async Task<Dictionary<string, int>> PtyPidsAsync(string sandboxId, CancellationToken cancellationToken)
    {
        const string script = $$"""
            m() { tr '\0' '\n' < "$1/environ" 2>/dev/null | grep '^{{PtyMarker}}='; }
            for d in /proc/[0-9]*; do
              v=$(m "$d") || continue
              s=$(cat "$d/stat" 2>/dev/null) || continue
              s=${s##*) }; set -- $s
              [ "$(m "/proc/$2")" = "$v" ] && continue
              printf '%s %s\n' "${d#/proc/}" "${v#{{PtyMarker}}=}"
            done
            """;
        var response = await InSandboxAsync(sandboxId, toolbox => toolbox.ExecuteCommandAsync(new ExecuteRequest { Command = script, Timeout = 30 },
            cancellationToken), notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in response.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Trim().Split(' ', 2);
            if (fields.Length == 2 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && fields[1].StartsWith(PtyPrefix, StringComparison.Ordinal))
            {
                pids[fields[1]] = pid;
            }
        }

        return pids;
    }
}
