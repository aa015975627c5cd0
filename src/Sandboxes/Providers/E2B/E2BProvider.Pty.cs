using System.Collections.Concurrent;
using System.Globalization;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Providers.E2B;

internal sealed partial class E2BProvider
{
    // The envd tag of terminals: envd's process list does not say which processes have one. The tag carries the size
    // the terminal opened with, for clients that did not open it.
    private const string TerminalTagPrefix = "sbx-pty-";

    private readonly ConcurrentDictionary<(string SandboxId, int Pid), E2BPtySession> _terminals = new();

    public override async Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken)
    {
        ValidateEnvironment(request.Env);
        var connection = await EnvdAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var user = request.User ?? _options.User;
        var config = new ProcessConfig { Cmd = "/bin/bash", Cwd = E2BPaths.Absolute(request.Cwd ?? _options.Workdir, _options.Workdir) };
        if (request.Command is { } command)
        {
            config.Args.Add("-l");
            config.Args.Add("-c");
            config.Args.Add(command);
        }
        else
        {
            // An interactive login shell, as E2B's SDKs open terminals.
            config.Args.Add("-i");
            config.Args.Add("-l");
        }

        config.Envs["TERM"] = "xterm-256color";
        config.Envs["LANG"] = "C.UTF-8";
        config.Envs["LC_ALL"] = "C.UTF-8";
        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            config.Envs[key] = value;
        }

        var start = new StartRequest
        {
            Process = config,
            Pty = E2BPtySession.Size(request.Rows, request.Cols),
            Tag = TerminalTagPrefix + request.Rows.ToString(CultureInfo.InvariantCulture) + "x" + request.Cols.ToString(CultureInfo.InvariantCulture)
                  + "-" + NewNonce()[..8],
        };
        var options = new ConnectCallOptions { Headers = [EnvdConnection.UserHeader(user), KeepaliveHeader] };
        var stream = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        var events = connection.StartAsync(start, options, stream.Token).GetAsyncEnumerator(stream.Token);
        int pid;
        try
        {
            using (cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), stream))
            {
                pid = await ReadStartAsync(sandboxId, user, events, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            stream.Dispose();
            throw;
        }

        var session = new E2BPtySession(connection, pid, request.Rows, request.Cols, events, stream,
            closed => _terminals.TryRemove(new KeyValuePair<(string, int), E2BPtySession>((sandboxId, closed.Pid), closed)));
        _terminals[(sandboxId, pid)] = session;
        return session;
    }

    public override Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken) =>
        OnEnvdAsync(sandboxId, async connection =>
        {
            await connection.UpdateAsync(EnvdConnection.ByPid(pid), E2BPtySession.Size(rows, cols), cancellationToken).ConfigureAwait(false);
            if (_terminals.TryGetValue((sandboxId, pid), out var session))
            {
                session.Resized(rows, cols);
            }
        }, cancellationToken);

    public override Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken) =>
        OnEnvdAsync(sandboxId, c => c.SendSignalAsync(EnvdConnection.ByPid(pid), Signal.Sigkill, cancellationToken), cancellationToken);

    public override Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken) =>
        OnEnvdAsync<IReadOnlyList<PtyInfo>>(sandboxId, async connection =>
        {
            var processes = await connection.ListAsync(cancellationToken).ConfigureAwait(false);
            return processes.Where(p => p.HasTag && p.Tag.StartsWith(TerminalTagPrefix, StringComparison.Ordinal))
                .Select(p => _terminals.TryGetValue((sandboxId, (int)p.Pid), out var session) ? session.Info : FromTag((int)p.Pid, p.Tag))
                .OrderBy(p => p.Pid)
                .ToList();
        }, cancellationToken);

    private async Task CloseTerminalsAsync()
    {
        foreach (var session in _terminals.Values)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static PtyInfo FromTag(int pid, string tag)
    {
        var size = tag[TerminalTagPrefix.Length..].Split('-', 2)[0].Split('x');
        return size.Length == 2
               && int.TryParse(size[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rows)
               && int.TryParse(size[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var cols)
            ? new PtyInfo(pid, rows, cols)
            : new PtyInfo(pid, 0, 0);
    }
}
