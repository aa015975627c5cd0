namespace Sandboxes;

public sealed partial class Sandbox
{
    /// <summary>Opens a pseudo-terminal running a shell (or <see cref="CreatePtyRequest.Command"/>).</summary>
    public PtySession CreatePty(CreatePtyRequest? request = null) => SyncBridge.Run(ct => CreatePtyAsync(request, ct), CancellationToken.None);

    /// <summary>Opens a pseudo-terminal running a shell (or <see cref="CreatePtyRequest.Command"/>).</summary>
    public Task<PtySession> CreatePtyAsync(CreatePtyRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new CreatePtyRequest();
        RequestValidator.Validate(Capabilities, request);
        return _provider.CreatePtyAsync(Id, request, cancellationToken);
    }

    /// <summary>Resizes a terminal; the program on it receives SIGWINCH.</summary>
    public void ResizePty(int pid, int rows, int cols) => SyncBridge.Run(ct => ResizePtyAsync(pid, rows, cols, ct), CancellationToken.None);

    /// <summary>Resizes a terminal; the program on it receives SIGWINCH.</summary>
    public Task ResizePtyAsync(int pid, int rows, int cols, CancellationToken cancellationToken = default)
    {
        if (rows is <= 0 or > 10_000 || cols is <= 0 or > 10_000)
        {
            throw new BadConfigException(Provider, $"A terminal needs between 1 and 10000 rows and columns, not {rows}x{cols}.");
        }

        return _provider.ResizePtyAsync(Id, pid, rows, cols, cancellationToken);
    }

    /// <summary>Kills the program on a terminal and closes it.</summary>
    public void KillPty(int pid) => SyncBridge.Run(ct => KillPtyAsync(pid, ct), CancellationToken.None);

    /// <summary>Kills the program on a terminal and closes it.</summary>
    public Task KillPtyAsync(int pid, CancellationToken cancellationToken = default) => _provider.KillPtyAsync(Id, pid, cancellationToken);

    /// <summary>Lists the open terminals.</summary>
    public IReadOnlyList<PtyInfo> ListPty() => SyncBridge.Run(ListPtyAsync, CancellationToken.None);

    /// <summary>Lists the open terminals.</summary>
    public Task<IReadOnlyList<PtyInfo>> ListPtyAsync(CancellationToken cancellationToken = default) => _provider.ListPtyAsync(Id, cancellationToken);
}
