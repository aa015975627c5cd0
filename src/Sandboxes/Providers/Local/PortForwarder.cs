using System.Net;
using System.Net.Sockets;
using Sandboxes.Internal;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// Makes one port of an isolated sandbox reachable from the host: a listener on 127.0.0.1 whose every connection is
/// joined to a socket created inside the sandbox's network namespace (on a short-lived thread that enters the namespace
/// with setns), so nothing but that port is exposed and the sandbox still cannot reach the host.
/// </summary>
internal sealed class PortForwarder : LoopbackPortForwarder
{
    private readonly Func<int> _openNamespace;
    private readonly int _port;

    /// <param name="openNamespace">Opens the sandbox's network namespace (-1 once the sandbox is gone).</param>
    /// <param name="port">The port inside.</param>
    public PortForwarder(Func<int> openNamespace, int port)
    {
        _openNamespace = openNamespace;
        _port = port;
    }

    protected override async Task RelayAsync(Socket client, CancellationToken stop)
    {
        using (client)
        {
            Socket upstream;
            try
            {
                upstream = await ConnectInsideAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or SandboxException)
            {
                return; // nothing listens on the port inside: the client sees the connection close
            }

            using (upstream)
            {
                var a = CopyAsync(client, upstream);
                var b = CopyAsync(upstream, client);
                await Task.WhenAny(a, b).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
                upstream.Shutdown(SocketShutdown.Both);
                await Task.WhenAll(a, b).ConfigureAwait(false);
            }
        }
    }

    private Task<Socket> ConnectInsideAsync()
    {
        var result = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                // This thread enters the sandbox's network namespace for good and then ends; the socket it creates
                // belongs to that namespace for its whole life.
                var fd = _openNamespace();
                if (fd < 0 || LibC.SetNs(fd, LibC.CLONE_NEWNET) != 0)
                {
                    var error = LibC.ErrorText(LibC.LastError);
                    if (fd >= 0)
                    {
                        LibC.Close(fd);
                    }

                    throw new SandboxStateException(LocalProvider.ProviderId, string.Empty, SandboxStatus.Stopped,
                        "Cannot reach the sandbox's network: " + error);
                }

                LibC.Close(fd);
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Connect(IPAddress.Loopback, _port);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                result.SetResult(socket);
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "sandbox-port-connect",
        };
        thread.Start();
        return result.Task;
    }

    private static async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
