using System.Text;
using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// A handle to one sandbox: run commands, move files, open terminals, pause, snapshot and expose ports.
/// Every operation has a synchronous method and an asynchronous twin. Disposing the handle kills the sandbox
/// unless it was created with <see cref="CreateSandboxRequest.Keep"/> or attached with
/// <see cref="Sandboxer.AttachSandbox"/>.
/// </summary>
public sealed partial class Sandbox : IDisposable, IAsyncDisposable
{
    private readonly SandboxProvider _provider;
    private int _disposed;

    internal Sandbox(SandboxProvider provider, string id, bool killOnDispose)
    {
        _provider = provider;
        Id = id;
        KillOnDispose = killOnDispose;
    }

    /// <summary>The sandbox id.</summary>
    public string Id { get; }

    /// <summary>The provider id.</summary>
    public string Provider => _provider.Name;

    /// <summary>What the provider can do.</summary>
    public ProviderCapabilities Capabilities => _provider.Descriptor.Capabilities;

    /// <summary>
    /// How this sandbox's provider was chosen, and which providers were skipped on the way; null for sandboxes created
    /// or attached through a <see cref="Sandboxer"/> directly.
    /// </summary>
    public ProviderSelection? Selection { get; internal set; }

    /// <summary>True when disposing this handle kills the sandbox.</summary>
    public bool KillOnDispose { get; private set; }

    /// <summary>The adapter behind this sandbox.</summary>
    internal SandboxProvider Adapter => _provider;

    /// <summary>Keeps the sandbox alive after this handle (and the client that created it) is disposed.</summary>
    public void Detach()
    {
        KillOnDispose = false;
        Released?.Invoke(this);
    }

    /// <summary>Raised once the handle no longer owns a live sandbox (killed, detached or disposed).</summary>
    internal event Action<Sandbox>? Released;

    // ---- Lifecycle ----

    /// <summary>Describes the sandbox.</summary>
    public SandboxInfo Info() => SyncBridge.Run(InfoAsync, CancellationToken.None);

    /// <summary>Describes the sandbox.</summary>
    public async Task<SandboxInfo> InfoAsync(CancellationToken cancellationToken = default) =>
        CreationLabel.Hide(await _provider.GetSandboxAsync(Id, cancellationToken).ConfigureAwait(false));

    /// <summary>True when the sandbox exists and is running (not paused, stopped or gone).</summary>
    public bool IsRunning() => SyncBridge.Run(IsRunningAsync, CancellationToken.None);

    /// <summary>True when the sandbox exists and is running (not paused, stopped or gone).</summary>
    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var info = await _provider.GetSandboxAsync(Id, cancellationToken).ConfigureAwait(false);
            return info.Status == SandboxStatus.Running;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    /// <summary>Freezes every process of the sandbox; nothing is lost. Commands are refused until <see cref="Resume"/>.</summary>
    public void Pause() => SyncBridge.Run(PauseAsync, CancellationToken.None);

    /// <summary>Freezes every process of the sandbox; nothing is lost. Commands are refused until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync(CancellationToken cancellationToken = default) => _provider.PauseAsync(Id, cancellationToken);

    /// <summary>Sets the sandbox's lifetime again: it ends <paramref name="timeoutSeconds"/> from now.</summary>
    /// <exception cref="FeatureNotSupportedException">The provider cannot change a lifetime once set.</exception>
    public void SetTimeout(int timeoutSeconds) => SyncBridge.Run(ct => SetTimeoutAsync(timeoutSeconds, ct), CancellationToken.None);

    /// <summary>Sets the sandbox's lifetime again: it ends <paramref name="timeoutSeconds"/> from now.</summary>
    /// <exception cref="BadConfigException"><paramref name="timeoutSeconds"/> is not positive.</exception>
    /// <exception cref="FeatureNotSupportedException">The provider cannot change a lifetime once set.</exception>
    public Task SetTimeoutAsync(int timeoutSeconds, CancellationToken cancellationToken = default)
    {
        if (timeoutSeconds <= 0)
        {
            throw new BadConfigException(Provider, $"The timeout must be a positive number of seconds, not {timeoutSeconds}.");
        }

        return _provider.SetTimeoutAsync(Id, timeoutSeconds, cancellationToken);
    }

    /// <summary>Continues a paused sandbox.</summary>
    public void Resume() => SyncBridge.Run(ResumeAsync, CancellationToken.None);

    /// <summary>Continues a paused sandbox.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => _provider.ResumeAsync(Id, cancellationToken);

    /// <summary>Kills the sandbox and everything in it.</summary>
    public void Kill() => SyncBridge.Run(KillAsync, CancellationToken.None);

    /// <summary>Kills the sandbox and everything in it.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await _provider.KillSandboxAsync(Id, cancellationToken).ConfigureAwait(false);
        KillOnDispose = false;
        Released?.Invoke(this);
    }

    /// <summary>A URL at which a server listening on <paramref name="port"/> inside the sandbox can be reached.</summary>
    public Uri PortUrl(int port) => SyncBridge.Run(ct => PortUrlAsync(port, ct), CancellationToken.None);

    /// <summary>A URL at which a server listening on <paramref name="port"/> inside the sandbox can be reached.</summary>
    public Task<Uri> PortUrlAsync(int port, CancellationToken cancellationToken = default)
    {
        if (port is < 1 or > 65535)
        {
            throw new BadConfigException(Provider, $"A port is between 1 and 65535, not {port}.");
        }

        return _provider.GetPortUrlAsync(Id, port, cancellationToken);
    }

    /// <summary>Saves the sandbox's state; start new sandboxes from it with <see cref="CreateSandboxRequest.Snapshot"/>.</summary>
    public SnapshotInfo CreateSnapshot(string? name = null) => SyncBridge.Run(ct => CreateSnapshotAsync(name, ct), CancellationToken.None);

    /// <summary>Saves the sandbox's state; start new sandboxes from it with <see cref="CreateSandboxRequest.Snapshot"/>.</summary>
    public Task<SnapshotInfo> CreateSnapshotAsync(string? name = null, CancellationToken cancellationToken = default) =>
        _provider.CreateSnapshotAsync(Id, name, cancellationToken);

    // ---- Disposal ----

    /// <summary>Kills the sandbox unless it is kept; see <see cref="KillOnDispose"/>.</summary>
    public void Dispose() => SyncBridge.Run(_ => DisposeAsync().AsTask(), CancellationToken.None);

    /// <summary>Kills the sandbox unless it is kept; see <see cref="KillOnDispose"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (KillOnDispose)
            {
                await _provider.KillSandboxAsync(Id, CancellationToken.None).ConfigureAwait(false);
                KillOnDispose = false;
            }
        }
        finally
        {
            Released?.Invoke(this);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Provider}:{Id}";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
