using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using NUnit.Framework;
using Sandboxes.Emulators;
using Sandboxes.Emulators.E2B;
using Sandboxes.Providers.E2B.Rpc.Process;
using Sandboxes.Testing;

namespace Sandboxes.Tests.E2B;

/// <summary>
/// The referee's own strictness: the emulated envd refuses Connect requests that break the protos (unknown fields, a
/// malformed message, a wrong media type, a missing protocol version, a bad envelope) and requests without the sandbox's
/// access token, and answers 502 for a sandbox that does not run, as E2B's proxy does. Requests are made by hand, so
/// that none of the adapter's code is involved.
/// </summary>
[TestFixture]
public sealed class E2BEmulatorTests
{
    private E2BEmulator _emulator = null!;
    private HttpClient _http = null!;
    private string _sandboxId = null!;
    private string _token = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Requires.Bubblewrap();
        _emulator = new E2BEmulator(new EmulatorOptions { StateDir = TestEnvironment.StateDir });
        await _emulator.StartAsync();
        _http = new HttpClient { BaseAddress = _emulator.BaseUrl };
        using var create = new HttpRequestMessage(HttpMethod.Post, "sandboxes") { Content = Json("{\"templateID\":\"base\",\"timeout\":120}") };
        create.Headers.Add("X-API-Key", _emulator.Options.ApiKey);
        using var created = await _http.SendAsync(create);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        _sandboxId = body["sandboxID"]!.GetValue<string>();
        _token = body["envdAccessToken"]!.GetValue<string>();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http?.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    [Test]
    public async Task A_valid_unary_call_is_answered()
    {
        using var response = await SendAsync("process.Process/List", "application/proto", new ListRequest().ToByteArray());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ListResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).Processes, Is.Empty);
    }

    [Test]
    public async Task A_field_the_proto_does_not_define_is_refused()
    {
        // Field 99, varint 1: well-formed protobuf, but not in SendSignalRequest.
        var message = new SendSignalRequest { Process = new ProcessSelector { Pid = 1 }, Signal = Signal.Sigterm }.ToByteArray().Concat(new byte[] { 0x98, 0x06, 0x01 }).ToArray();

        using var response = await SendAsync("process.Process/SendSignal", "application/proto", message);

        await AssertConnectErrorAsync(response, HttpStatusCode.BadRequest, "invalid_argument", "fields its proto does not define");
    }

    [Test]
    public async Task A_json_field_the_proto_does_not_define_is_refused()
    {
        using var response = await SendAsync("process.Process/List", "application/json", "{\"verbose\":true}"u8.ToArray());

        await AssertConnectErrorAsync(response, HttpStatusCode.BadRequest, "invalid_argument", "verbose");
    }

    [Test]
    public async Task Bytes_that_are_not_the_message_are_refused()
    {
        using var response = await SendAsync("process.Process/SendSignal", "application/proto", [0xFF, 0xFF, 0xFF]);

        await AssertConnectErrorAsync(response, HttpStatusCode.BadRequest, "invalid_argument", "not a valid SendSignalRequest");
    }

    [Test]
    public async Task A_call_without_the_protocol_version_is_refused()
    {
        using var response = await SendAsync("process.Process/List", "application/proto", [], protocolVersion: false);

        await AssertConnectErrorAsync(response, HttpStatusCode.BadRequest, "invalid_argument", "Connect-Protocol-Version");
    }

    [Test]
    public async Task A_streaming_call_needs_exactly_one_enveloped_message()
    {
        var payload = new ConnectRequest { Process = new ProcessSelector { Pid = 1 } }.ToByteArray();
        var envelope = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(envelope.AsSpan(1), (uint)payload.Length + 3);
        payload.CopyTo(envelope, 5);

        using var response = await SendAsync("process.Process/Connect", "application/connect+proto", envelope);

        await AssertConnectErrorAsync(response, HttpStatusCode.BadRequest, "invalid_argument", "the envelope says");
    }

    [Test]
    public async Task A_unary_media_type_on_a_streaming_procedure_is_refused()
    {
        using var response = await SendAsync("process.Process/Start", "application/proto", new StartRequest().ToByteArray());

        await AssertConnectErrorAsync(response, HttpStatusCode.BadRequest, "invalid_argument", "application/connect+proto");
    }

    [Test]
    public async Task Signalling_a_process_envd_did_not_start_is_not_found()
    {
        using var response = await SendAsync("process.Process/SendSignal", "application/proto",
            new SendSignalRequest { Process = new ProcessSelector { Pid = 1 }, Signal = Signal.Unspecified }.ToByteArray());

        await AssertConnectErrorAsync(response, HttpStatusCode.NotFound, "not_found", "process with pid 1 not found");
    }

    [Test]
    public async Task Envd_without_the_access_token_is_unauthenticated()
    {
        using var response = await SendAsync("process.Process/List", "application/proto", [], token: "wrong");

        await AssertConnectErrorAsync(response, HttpStatusCode.Unauthorized, "unauthenticated", "access token");
    }

    [Test]
    public async Task Envd_of_a_sandbox_that_does_not_run_answers_502()
    {
        using var response = await SendAsync("process.Process/List", "application/proto", [], sandboxId: "inotrunning000000000");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("The sandbox was not found"));
    }

    [Test]
    public async Task The_control_plane_refuses_a_wrong_key_in_E2B_error_shape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/sandboxes");
        request.Headers.Add("X-API-Key", "e2b_wrong");
        using var response = await _http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(body["code"]!.GetValue<int>(), Is.EqualTo(401));
        Assert.That(body["message"]!.GetValue<string>(), Is.Not.Empty);
    }

    private async Task<HttpResponseMessage> SendAsync(string procedure, string contentType, byte[] body, bool protocolVersion = true,
        string? token = null, string? sandboxId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, procedure) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Add("E2b-Sandbox-Id", sandboxId ?? _sandboxId);
        request.Headers.Add("X-Access-Token", token ?? _token);
        if (protocolVersion)
        {
            request.Headers.Add("Connect-Protocol-Version", "1");
        }

        return await _http.SendAsync(request);
    }

    private static async Task AssertConnectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(body["code"]!.GetValue<string>(), Is.EqualTo(code));
        Assert.That(body["message"]!.GetValue<string>(), Does.Contain(message));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
