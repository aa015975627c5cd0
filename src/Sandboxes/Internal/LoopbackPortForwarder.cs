using System.Net;
using System.Net.Sockets;

namespace Sandboxes.Internal;

/// <summary>
/// A listener on 127.0.0.1 (a port of the system's choosing) that hands each connection to a provider's way of carrying
/// it into a sandbox, until disposed. Providers say only how one connection is relayed.
/// </summary>
internal abstract class LoopbackPortForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    protected LoopbackPortForwarder()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The local URL of the forwarded port.</summary>
    public Uri Url { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Carries one accepted connection to the port inside and back, then disposes it.</summary>
    /// <param name="client">The accepted connection.</param>
    /// <param name="stop">Cancelled when the forwarder is disposed.</param>
    protected abstract Task RelayAsync(Socket client, CancellationToken stop);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var stop = _stop.Token;
            _ = Task.Run(() => RelayAsync(client, stop));
        }
    }
}
