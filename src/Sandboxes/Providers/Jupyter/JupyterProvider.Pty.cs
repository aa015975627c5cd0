using System.Collections.Concurrent;

namespace Sandboxes.Providers.Jupyter;

// Terminals: the server's terminals API (see JupyterTerminalSession). Terminals belong to the server; each is kept
// with the sandbox that opened it, through this client.
internal sealed partial class JupyterProvider
{
    private readonly ConcurrentDictionary<(string Sandbox, int Pid), JupyterTerminalSession> _terminals = new();

    public override async Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        await GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var paths = await PathsAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var name = await server.Rest.CreateTerminalAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            JupyterTerminalSession? session = null;
            session = await JupyterTerminalSession.OpenAsync(server.Endpoint, name, request, paths.Absolute(request.Cwd ?? paths.Workspace),
                async () =>
                {
                    _terminals.TryRemove((sandboxId, session!.Pid), out _);
                    await server.Rest.DeleteTerminalAsync(name, CancellationToken.None).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
            _terminals[(sandboxId, session.Pid)] = session;
            return session;
        }
        catch
        {
            await server.Rest.DeleteTerminalAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public override async Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken) =>
        await Terminal(sandboxId, pid).ResizeAsync(rows, cols, cancellationToken).ConfigureAwait(false);

    public override async Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken) =>
        await Terminal(sandboxId, pid).KillAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        var open = (await server.Rest.ListTerminalsAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        return _terminals.Where(t => t.Key.Sandbox == sandboxId && open.Contains(t.Value.Name))
            .Select(t => t.Value.Info).OrderBy(i => i.Pid).ToList();
    }

    private JupyterTerminalSession Terminal(string sandboxId, int pid) =>
        _terminals.TryGetValue((sandboxId, pid), out var terminal)
            ? terminal
            : throw new NotFoundException(ProviderId, $"This client has no terminal {pid} in sandbox {sandboxId}.");

    private async Task KillTerminalsAsync(string sandboxId)
    {
        foreach (var key in _terminals.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            if (_terminals.TryRemove(key, out var terminal))
            {
                await terminal.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task DisposeTerminalsAsync()
    {
        foreach (var terminal in _terminals.Values.ToList())
        {
            await terminal.DisposeAsync().ConfigureAwait(false);
        }

        _terminals.Clear();
    }
}
