using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sandboxes.FaultInjection;

/// <summary>
/// A forwarding HTTP/1.1 proxy on 127.0.0.1 in front of a real target (a vendor emulator behind Prism, a Docker-API
/// engine on its unix socket, a Jupyter server), which fails planned requests the way networks do. Everything else
/// passes through byte for byte: keep-alive connections, chunked bodies, upgraded connections (WebSockets, the
/// engine's hijacked exec streams) and bodies that run until the connection closes.
/// <para>
/// A fault with <see cref="Fault.AfterProcessing"/> lets the target do the work: the request is forwarded and its answer
/// read in full, then replaced (by <see cref="Fault.Status"/>), dropped (<see cref="Fault.Abort"/> resets the connection)
/// or withheld (<see cref="Fault.Hang"/>, until the client gives up). What the target answered is kept in
/// <see cref="LostAnswers"/>. Without it the request never reaches the target.
/// </para>
/// </summary>
public sealed class FaultInjectingProxy : IAsyncDisposable
{
    private static readonly TimeSpan HalfClosedGrace = TimeSpan.FromSeconds(5);
    private readonly Socket _listener;
    private readonly EndPoint _upstream;
    private readonly string _upstreamPath;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<PlannedFaults> _plans = [];
    private readonly ConcurrentQueue<LostAnswer> _lost = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;

    private FaultInjectingProxy(EndPoint upstream, string upstreamPath)
    {
        _upstream = upstream;
        _upstreamPath = upstreamPath;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port the proxy listens on.</summary>
    public int Port { get; }

    /// <summary>The proxy's URL, with the upstream URL's path: what a client configured for the target uses instead.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}{_upstreamPath}");

    /// <summary>The proxy as a Docker-API address (<c>tcp://127.0.0.1:PORT</c>).</summary>
    public string TcpAddress => $"tcp://127.0.0.1:{Port}";

    /// <summary>The answers the target gave that the client never received, in order.</summary>
    public IReadOnlyList<LostAnswer> LostAnswers => _lost.ToList();

    /// <summary>Starts a proxy in front of <c>http://host:port/path</c>, <c>tcp://host:port</c> or <c>unix:///socket</c>.</summary>
    public static FaultInjectingProxy Start(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (upstream.Scheme == "unix")
        {
            return new FaultInjectingProxy(new UnixDomainSocketEndPoint(upstream.AbsolutePath), "/");
        }

        EndPoint endpoint = IPAddress.TryParse(upstream.Host, out var address)
            ? new IPEndPoint(address, upstream.Port)
            : new DnsEndPoint(upstream.Host, upstream.Port);
        return new FaultInjectingProxy(endpoint, upstream.Scheme == "tcp" ? "/" : upstream.AbsolutePath);
    }

    /// <summary>
    /// Fails the next requests whose method is <paramref name="method"/> and whose path (without query) matches
    /// <paramref name="pathPattern"/> (a regular expression), one fault per request, in order.
    /// </summary>
    public void Plan(string method, string pathPattern, params Fault[] faults)
    {
        lock (_plans)
        {
            _plans.Add(new PlannedFaults(method, new Regex(pathPattern, RegexOptions.CultureInvariant), new Queue<Fault>(faults)));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stopping.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var upstream = new Socket(_upstream.AddressFamily, SocketType.Stream, _upstream is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        _open[client] = 0;
        _open[upstream] = 0;
        var token = _stopping.Token;
        try
        {
            await upstream.ConnectAsync(_upstream, token);
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
            await RelayAsync(client, clientStream, upstream, upstreamStream, token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended (either side closed it, or the proxy stopped).
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }

    /// <summary>Relays request after request on one connection, until it closes, is upgraded, or a fault ends it.</summary>
    private async Task RelayAsync(Socket client, NetworkStream clientStream, Socket upstream, NetworkStream upstreamStream, CancellationToken token)
    {
        var fromClient = new HttpWireReader(clientStream);
        var fromUpstream = new HttpWireReader(upstreamStream);
        while (await fromClient.ReadHeadAsync(token) is { } request)
        {
            var fault = TakeFault(request);
            if (fault is { AfterProcessing: false })
            {
                await fromClient.CopyBodyAsync(request, null, null, token);
                await InjectAsync(client, clientStream, fromClient, fault, token);
                return;
            }

            await upstreamStream.WriteAsync(request.Raw, token);
            await fromClient.CopyBodyAsync(request, upstreamStream, null, token);
            await upstreamStream.FlushAsync(token);

            var response = await fromUpstream.ReadHeadAsync(token) ?? throw new IOException("The target closed the connection without answering.");
            while (response.Status is >= 100 and < 200 and not 101)
            {
                await clientStream.WriteAsync(response.Raw, token);
                response = await fromUpstream.ReadHeadAsync(token) ?? throw new IOException("The target closed the connection without answering.");
            }

            var hasBody = request.First != "HEAD" && response.Status is not (204 or 304) && response.Status >= 200;
            var framed = response.IsChunked || response.ContentLength is not null;
            if (fault is not null)
            {
                // The work is done: read what the target said, keep it, and let the client hear something else.
                var body = new MemoryStream();
                if (hasBody && framed)
                {
                    await fromUpstream.CopyBodyAsync(response, null, body, token);
                }

                _lost.Enqueue(new LostAnswer(request.First, request.Path, response.Status, Encoding.UTF8.GetString(body.ToArray()), fault));
                await InjectAsync(client, clientStream, fromClient, fault, token);
                return;
            }

            await clientStream.WriteAsync(response.Raw, token);
            if (response.Status == 101 || (hasBody && !framed))
            {
                // An upgraded connection, or a body that lasts as long as the connection: raw bytes both ways from here.
                await clientStream.FlushAsync(token);
                await PumpBothWaysAsync(client, clientStream, fromClient, upstream, upstreamStream, fromUpstream, token);
                return;
            }

            if (hasBody)
            {
                await fromUpstream.CopyBodyAsync(response, clientStream, null, token);
            }

            await clientStream.FlushAsync(token);
            if (Closes(request) || Closes(response))
            {
                return;
            }
        }
    }

    private static async Task PumpBothWaysAsync(Socket client, NetworkStream clientStream, HttpWireReader fromClient, Socket upstream,
        NetworkStream upstreamStream, HttpWireReader fromUpstream, CancellationToken token)
    {
        var up = Task.Run(async () =>
        {
            await fromClient.CopyToEndAsync(upstreamStream, token);
            upstream.Shutdown(SocketShutdown.Send); // the client closed its side (the end of a command's stdin): say so
        }, token);
        var down = Task.Run(async () =>
        {
            await fromUpstream.CopyToEndAsync(clientStream, token);
            client.Shutdown(SocketShutdown.Send);
        }, token);
        if (await Task.WhenAny(up, down) == down)
        {
            // The target is done; a client that keeps its side open is given a moment, then the connection ends.
            await Task.WhenAny(up, Task.Delay(HalfClosedGrace, token));
        }
        else
        {
            await down;
        }
    }

    private static async Task InjectAsync(Socket client, NetworkStream clientStream, HttpWireReader fromClient, Fault fault, CancellationToken token)
    {
        if (fault.Abort)
        {
            // A reset, not an orderly close: the client learns nothing of what happened.
            client.LingerState = new LingerOption(true, 0);
            client.Close();
            return;
        }

        if (fault.Hang)
        {
            await fromClient.DrainAsync(token); // no answer, ever: until the client gives up and closes
            return;
        }

        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { message = $"injected fault {fault.Status}" }));
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(fault.Status).Append(" Injected\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            .Append("Connection: close\r\n");
        if (fault.RetryAfterSeconds is { } seconds)
        {
            head.Append("Retry-After: ").Append(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        }

        await clientStream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), token);
        await clientStream.WriteAsync(body, token);
        await clientStream.FlushAsync(token);
    }

    private Fault? TakeFault(HttpMessageHead request)
    {
        lock (_plans)
        {
            foreach (var plan in _plans)
            {
                if (plan.Faults.Count > 0 && string.Equals(plan.Method, request.First, StringComparison.OrdinalIgnoreCase) && plan.Path.IsMatch(request.Path))
                {
                    return plan.Faults.Dequeue();
                }
            }
        }

        return null;
    }

    private static bool Closes(HttpMessageHead head) => head.Header("Connection")?.Contains("close", StringComparison.OrdinalIgnoreCase) == true;

    private sealed record PlannedFaults(string Method, Regex Path, Queue<Fault> Faults);
}
