using System.Buffers.Binary;
using System.Net;
using System.Text;
using Google.Protobuf;
using NUnit.Framework;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Tests.E2B;

/// <summary>
/// The adapter's Connect client at the HTTP boundary: what it sends (media types, protocol version, envelopes,
/// deadlines), how it reads enveloped streams however the bytes are split, and how every error form (unary JSON, the
/// end-of-stream message, a stream cut short, a compressed or oversized message) becomes a typed error.
/// </summary>
[TestFixture]
public sealed class ConnectClientTests
{
    private static readonly Uri Server = new("http://envd.test/");

    [Test]
    public async Task A_unary_call_posts_protobuf_with_the_protocol_version_and_reads_the_reply()
    {
        var reply = new ListResponse { Processes = { new Providers.E2B.Rpc.Process.ProcessInfo { Pid = 7, Tag = "t" } } };
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/proto", reply.ToByteArray()));
        var client = Client(handler);

        var response = await client.CallAsync("process.Process/List", new ListRequest(), ListResponse.Parser, ConnectCallOptions.None, CancellationToken.None);

        Assert.That(response.Processes.Single().Pid, Is.EqualTo(7u));
        var request = handler.Requests.Single();
        Assert.That(request.Method, Is.EqualTo("POST"));
        Assert.That(request.Url, Is.EqualTo("http://envd.test/process.Process/List"));
        Assert.That(request.ContentType, Is.EqualTo("application/proto"));
        Assert.That(request.Headers["Connect-Protocol-Version"], Is.EqualTo("1"));
        Assert.That(request.Headers["X-Route"], Is.EqualTo("sandbox-1"), "the client's own headers go with every call");
        Assert.That(request.Body, Is.Empty, "an empty message is zero bytes");
    }

    [Test]
    public async Task A_server_streaming_call_sends_one_enveloped_message_and_its_deadline()
    {
        var message = new ConnectRequest { Process = new ProcessSelector { Tag = "sbx-0123456789abcdef" } };
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", EndStream("{}")));
        var options = new ConnectCallOptions { ServerTimeout = TimeSpan.FromMilliseconds(1500.2), Headers = [new("Authorization", "Basic dXNlcjo=")] };

        await foreach (var _ in Client(handler).StreamAsync("process.Process/Connect", message, ConnectResponse.Parser, options, CancellationToken.None))
        {
        }

        var request = handler.Requests.Single();
        Assert.That(request.ContentType, Is.EqualTo("application/connect+proto"));
        Assert.That(request.Body[0], Is.EqualTo(0), "flags: an uncompressed message");
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(request.Body.AsSpan(1, 4)), Is.EqualTo((uint)message.CalculateSize()));
        Assert.That(ConnectRequest.Parser.ParseFrom(request.Body.AsSpan(5)), Is.EqualTo(message));
        Assert.That(request.Headers["Connect-Timeout-Ms"], Is.EqualTo("1501"), "rounded up, never shorter than asked");
        Assert.That(request.Headers["Authorization"], Is.EqualTo("Basic dXNlcjo="));
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(4096)]
    public async Task Messages_are_read_however_the_bytes_are_split(int chunkSize)
    {
        var events = new[]
        {
            Event(new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = 42 } }),
            Event(new ProcessEvent { Data = new ProcessEvent.Types.DataEvent { Stdout = ByteString.CopyFromUtf8(new string('x', 10_000)) } }),
            Event(new ProcessEvent { Data = new ProcessEvent.Types.DataEvent { Stderr = ByteString.CopyFromUtf8("héllo") } }),
            Event(new ProcessEvent { End = new ProcessEvent.Types.EndEvent { Exited = true, ExitCode = 3, Status = "exit status 3" } }),
        };
        var body = events.SelectMany(Envelope).Concat(EndStream("{\"metadata\":{\"x-trailer\":[\"1\"]}}")).ToArray();
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", body, chunkSize));

        var received = new List<StartResponse>();
        await foreach (var e in Client(handler).StreamAsync("process.Process/Start", new StartRequest(), StartResponse.Parser, null, CancellationToken.None))
        {
            received.Add(e);
        }

        Assert.That(received.Select(r => r.ToByteArray()), Is.EqualTo(events.Select(e => e.ToByteArray())), "a trailers-only end is a clean end");
    }

    [TestCase("not_found", typeof(NotFoundException))]
    [TestCase("unauthenticated", typeof(UnauthorizedException))]
    [TestCase("permission_denied", typeof(UnauthorizedException))]
    [TestCase("resource_exhausted", typeof(RateLimitException))]
    [TestCase("invalid_argument", typeof(ProviderException))]
    [TestCase("internal", typeof(ProviderException))]
    public void An_error_in_the_end_of_stream_message_is_the_typed_error_of_its_code(string code, Type expected)
    {
        var body = Envelope(Event(new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = 1 } }))
            .Concat(EndStream($"{{\"error\":{{\"code\":\"{code}\",\"message\":\"cwd '/nope' does not exist\"}}}}")).ToArray();
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", body));

        var error = Assert.ThrowsAsync(Is.InstanceOf(expected), () => DrainAsync(Client(handler)));

        Assert.That(error!.GetType(), Is.EqualTo(expected));
        Assert.That(error.Message, Does.Contain("cwd '/nope' does not exist"));
        if (error is ProviderException provider)
        {
            Assert.That(provider.StatusCode, Is.EqualTo(code == "internal" ? 500 : 400));
            Assert.That(provider.ErrorCode, Is.EqualTo(code));
        }
    }

    [Test]
    public void A_unary_error_is_mapped_by_its_status_and_keeps_the_message()
    {
        var handler = new StubHandler(_ => Respond(HttpStatusCode.NotFound, "application/json",
            "{\"code\":\"not_found\",\"message\":\"process with pid 9 not found\"}"u8.ToArray()));

        var error = Assert.ThrowsAsync<NotFoundException>(() =>
            Client(handler).CallAsync("process.Process/SendSignal", new SendSignalRequest(), SendSignalResponse.Parser, null, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("process with pid 9 not found"));
    }

    [Test]
    public void A_rate_limited_call_keeps_the_retry_after()
    {
        var handler = new StubHandler(_ =>
        {
            var response = Respond(HttpStatusCode.TooManyRequests, "application/json", "{\"code\":\"resource_exhausted\",\"message\":\"slow down\"}"u8.ToArray());
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(4));
            return response;
        });

        var error = Assert.ThrowsAsync<RateLimitException>(() => DrainAsync(Client(handler)));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(4)));
    }

    [Test]
    public void A_stream_cut_before_its_end_is_a_transient_failure()
    {
        var body = Envelope(Event(new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = 1 } })).ToArray();
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", body));

        var error = Assert.ThrowsAsync<ProviderException>(() => DrainAsync(Client(handler)));

        Assert.That(error!.Message, Does.Contain("without its end-of-stream message"));
        Assert.That(error.IsTransient, Is.True);
    }

    [Test]
    public void A_stream_cut_inside_a_message_is_a_transient_failure()
    {
        var whole = Envelope(Event(new ProcessEvent { Data = new ProcessEvent.Types.DataEvent { Stdout = ByteString.CopyFromUtf8("abcdef") } })).ToArray();
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", whole[..^2]));

        var error = Assert.ThrowsAsync<ProviderException>(() => DrainAsync(Client(handler)));

        Assert.That(error!.Message, Does.Contain("broke off"));
        Assert.That(error.IsTransient, Is.True);
    }

    [Test]
    public void A_compressed_message_is_refused_because_none_was_offered()
    {
        var frame = Envelope(Event(new ProcessEvent())).ToArray();
        frame[0] = ConnectFrame.CompressedFlag;
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", frame));

        Assert.That(() => DrainAsync(Client(handler)), Throws.InstanceOf<ProviderException>().With.Message.Contains("compressed"));
    }

    [Test]
    public void An_impossible_length_is_refused_before_anything_is_allocated()
    {
        var frame = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), uint.MaxValue);
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", frame));

        Assert.That(() => DrainAsync(Client(handler)), Throws.InstanceOf<ProviderException>().With.Message.Contains("larger than"));
    }

    [Test]
    public void A_malformed_end_of_stream_message_is_a_provider_error()
    {
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto", EndStream("not json")));

        Assert.That(() => DrainAsync(Client(handler)), Throws.InstanceOf<ProviderException>().With.Message.Contains("malformed end-of-stream"));
    }

    [Test]
    public void A_message_that_is_not_the_declared_type_is_a_provider_error()
    {
        var handler = new StubHandler(_ => Respond(HttpStatusCode.OK, "application/connect+proto",
            new byte[] { 0, 0, 0, 0, 2, 0xFF, 0xFF }.Concat(EndStream("{}")).ToArray()));

        Assert.That(() => DrainAsync(Client(handler)), Throws.InstanceOf<ProviderException>().With.Message.Contains("not a valid StartResponse"));
    }

    private static ConnectClient Client(StubHandler handler) =>
        new(new HttpClient(handler), Server, [new("X-Route", "sandbox-1")], "e2b");

    private static async Task DrainAsync(ConnectClient client)
    {
        await foreach (var _ in client.StreamAsync("process.Process/Start", new StartRequest(), StartResponse.Parser, null, CancellationToken.None))
        {
        }
    }

    private static StartResponse Event(ProcessEvent e) => new() { Event = e };

    private static IEnumerable<byte> Envelope(IMessage message)
    {
        var payload = message.ToByteArray();
        var prefix = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)payload.Length);
        return prefix.Concat(payload);
    }

    private static byte[] EndStream(string json)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        var prefix = new byte[5];
        prefix[0] = ConnectFrame.EndStreamFlag;
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)payload.Length);
        return prefix.Concat(payload).ToArray();
    }

    private static HttpResponseMessage Respond(HttpStatusCode status, string contentType, byte[] body, int chunkSize = int.MaxValue)
    {
        var content = new StreamContent(new ChunkedStream(body, chunkSize));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return new HttpResponseMessage(status) { Content = content };
    }

    private sealed record SeenRequest(string Method, string Url, string? ContentType, Dictionary<string, string> Headers, byte[] Body);

    /// <summary>Answers every request with a response made by a function, and keeps what was asked.</summary>
    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<SeenRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            Requests.Add(new SeenRequest(request.Method.Method, request.RequestUri!.AbsoluteUri, request.Content?.Headers.ContentType?.MediaType,
                request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)), body));
            return respond(request);
        }
    }

    /// <summary>A body that arrives a few bytes per read, as a network stream may deliver it.</summary>
    private sealed class ChunkedStream(byte[] data, int chunkSize) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunkSize));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunkSize)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunkSize)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunkSize), cancellationToken);
    }
}
