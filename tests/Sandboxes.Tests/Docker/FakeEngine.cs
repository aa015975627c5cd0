using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// A scripted Docker-API engine on a unix socket: each connection's request is read (head and Content-Length body),
/// recorded, and handed with the connection to a handler that writes whatever raw bytes the test wants. It lets the
/// hand-written HTTP of the adapter (hijacked exec starts) be checked byte for byte.
/// </summary>
public sealed class FakeEngine : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<FakeRequest, NetworkStream, Socket, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<FakeRequest> _requests = [];

    public FakeEngine(Func<FakeRequest, NetworkStream, Socket, Task> handler)
    {
        _handler = handler;
        SocketPath = Path.Combine(TestEnvironment.StateDir, $"fake-engine-{Guid.NewGuid():N}"[..40] + ".sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The socket path.</summary>
    public string SocketPath { get; }

    /// <summary>The engine address, as the provider is configured with it.</summary>
    public string Address => "unix://" + SocketPath;

    /// <summary>Every request received so far.</summary>
    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>Writes a complete HTTP/1.1 response with a JSON body and closes nothing.</summary>
    public static async Task RespondAsync(NetworkStream stream, int status, string json, params string[] headers)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = new StringBuilder($"HTTP/1.1 {status} {(status < 300 ? "OK" : "Error")}\r\nContent-Type: application/json\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()).Concat(body).ToArray());
    }

    /// <summary>One frame of a multiplexed exec stream.</summary>
    public static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new byte[8 + payload.Length];
        frame[0] = stream;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        File.Delete(SocketPath);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        await using (var stream = new NetworkStream(client, ownsSocket: false))
        {
            try
            {
                var request = await ReadRequestAsync(stream);
                lock (_requests)
                {
                    _requests.Add(request);
                }

                await _handler(request, stream, client);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<FakeRequest> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !head.Skip(head.Count - 4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("closed before the request head ended");
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out var length) && int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) > 0)
        {
            body = new byte[int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)];
            await stream.ReadExactlyAsync(body);
        }

        return new FakeRequest(first[0], first[1], headers, Encoding.UTF8.GetString(body));
    }
}
