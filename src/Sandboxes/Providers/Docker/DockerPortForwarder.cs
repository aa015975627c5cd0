using System.Net.Sockets;
using Sandboxes.Internal;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Makes one port of a container reachable from this machine without publishing anything: a listener on 127.0.0.1 whose
/// every connection is carried by its own exec, a small relay inside the container joined to 127.0.0.1:port there. It
/// works with network mode none (where nothing can be published) and with remote engines, for as long as the client lives.
/// </summary>
internal sealed class DockerPortForwarder : LoopbackPortForwarder
{
    private readonly Func<CancellationToken, Task<(HijackedConnection Connection, Func<Task> Kill)>> _openRelay;

    /// <param name="openRelay">Starts a relay exec to the port and returns its connection and a way to kill it.</param>
    public DockerPortForwarder(Func<CancellationToken, Task<(HijackedConnection Connection, Func<Task> Kill)>> openRelay)
    {
        _openRelay = openRelay;
    }

    protected override async Task RelayAsync(Socket client, CancellationToken stop)
    {
        using (client)
        {
            client.NoDelay = true;
            HijackedConnection relay;
            Func<Task> kill;
            try
            {
                (relay, kill) = await _openRelay(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SandboxException or IOException or SocketException or OperationCanceledException)
            {
                return; // the sandbox is gone or paused: the client sees its connection close
            }

            await using (relay.ConfigureAwait(false))
            {
                var up = CopyUpAsync(client, relay);
                var down = CopyDownAsync(relay, client);
                await Task.WhenAll(up, down).ConfigureAwait(false);
                if (!up.IsCompletedSuccessfully || !down.IsCompletedSuccessfully)
                {
                    await kill().ConfigureAwait(false);
                }
            }
        }
    }

    // Local client to the relay's stdin; its end of stream half-closes the relay's stdin, which half-closes the inner connection.
    private static async Task CopyUpAsync(Socket client, HijackedConnection relay)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await client.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false)) > 0)
            {
                await relay.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            relay.CloseWrite();
        }
    }

    // The relay's stdout frames to the local client; its stderr (the relay's own complaints) is dropped.
    private static async Task CopyDownAsync(HijackedConnection relay, Socket client)
    {
        var reader = new MultiplexedStreamReader(relay);
        try
        {
            while (await reader.ReadFrameAsync(CancellationToken.None).ConfigureAwait(false) is { Read: true } frame)
            {
                if (frame.Kind == ExecStreamKind.Stdout)
                {
                    await client.SendAsync(frame.Payload, SocketFlags.None).ConfigureAwait(false);
                }
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or ProviderException)
        {
            try
            {
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception inner) when (inner is SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
