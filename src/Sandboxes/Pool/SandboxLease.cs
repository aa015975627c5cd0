namespace Sandboxes;

/// <summary>
/// A sandbox borrowed from a <see cref="SandboxPool"/>. Dispose it (<c>await using</c>) to give the sandbox back; the
/// pool then resets, keeps or discards it as its <see cref="SandboxPoolOptions.ReturnPolicy"/> says.
/// </summary>
public sealed class SandboxLease : IAsyncDisposable, IDisposable
{
    private readonly SandboxPool _pool;
    private int _returned;

    internal SandboxLease(SandboxPool pool, SandboxPool.Entry entry, bool warm)
    {
        _pool = pool;
        Entry = entry;
        IsWarm = warm;
    }

    /// <summary>The leased sandbox. Its handle never kills it; the pool does.</summary>
    public Sandbox Sandbox => Entry.Sandbox;

    /// <summary>True when the lease was served by an idle sandbox, false when one had to be created.</summary>
    public bool IsWarm { get; }

    /// <summary>True once <see cref="MarkBroken"/> was called: the sandbox is discarded on return, whatever the policy.</summary>
    public bool IsBroken { get; private set; }

    internal SandboxPool.Entry Entry { get; }

    /// <summary>Says the sandbox is in a bad state; the pool kills it on return and creates a replacement as needed.</summary>
    public void MarkBroken() => IsBroken = true;

    /// <summary>Gives the sandbox back to the pool.</summary>
    public void Dispose() => SyncBridge.Run(_ => DisposeAsync().AsTask(), CancellationToken.None);

    /// <summary>Gives the sandbox back to the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            await _pool.ReturnAsync(this).ConfigureAwait(false);
        }
    }
}
