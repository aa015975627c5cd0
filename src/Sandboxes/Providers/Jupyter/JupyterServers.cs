namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// The servers this process started, shared by every Jupyter client with the same settings (so that a sandbox created by
/// one client can be attached by another), and stopped when the last of those clients is disposed.
/// </summary>
internal static class JupyterServers
{
    private static readonly object Gate = new();
    private static readonly Dictionary<JupyterOptions, Entry> Running = [];

    /// <summary>Returns the shared server for these settings, starting it if needed; release it with <see cref="ReleaseAsync"/>.</summary>
    public static async Task<JupyterServerProcess> AcquireAsync(JupyterOptions options, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (Gate)
        {
            if (!Running.TryGetValue(options, out entry!) || entry.Server.IsFaulted || entry.Server.IsCanceled)
            {
                // Started without the caller's token: another client may be waiting for the same server.
                entry = new Entry(JupyterServerProcess.StartAsync(options, CancellationToken.None));
                Running[options] = entry;
            }

            entry.Users++;
        }

        try
        {
            return await entry.Server.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(options).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One client is done with the server; the last one stops it.</summary>
    public static async Task ReleaseAsync(JupyterOptions options)
    {
        Entry? stopping = null;
        lock (Gate)
        {
            if (Running.TryGetValue(options, out var entry) && --entry.Users == 0)
            {
                Running.Remove(options);
                stopping = entry;
            }
        }

        if (stopping is not null && stopping.Server.IsCompletedSuccessfully)
        {
            await stopping.Server.Result.DisposeAsync().ConfigureAwait(false);
        }
        else if (stopping is not null)
        {
            try
            {
                await (await stopping.Server.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (SandboxException)
            {
                // It never started; there is nothing to stop.
            }
        }
    }

    private sealed class Entry(Task<JupyterServerProcess> server)
    {
        public Task<JupyterServerProcess> Server { get; } = server;

        public int Users { get; set; }
    }
}
