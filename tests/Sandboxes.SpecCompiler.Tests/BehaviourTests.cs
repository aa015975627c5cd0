using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Http;
using Sandboxes.SpecCompiler.Tests.Generated.Behaviour;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// The client generated from TestSpecs/behaviour.yaml (compiled into this project by the generator) against a real Kestrel
/// server: what goes on the wire and what comes back, through the synchronous and the asynchronous API alike.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
[NonParallelizable]
public sealed class BehaviourTests(bool useAsync)
{
    private BehaviourServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await BehaviourServer.StartAsync();
        _http = new HttpClient();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private BehaviourClient Client(ApiCredentials? credentials = null) => new(_http, new ApiClientOptions
    {
        // The spec's server is http://{host}:{port}/v1; only the port variable is given, the host keeps its default.
        ServerVariables = new Dictionary<string, string> { ["port"] = _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Credentials = credentials,
    });

    private T Call<T>(Func<Task<T>> asyncCall, Func<T> syncCall) => useAsync ? asyncCall().GetAwaiter().GetResult() : syncCall();

    private void Call(Func<Task> asyncCall, Action syncCall)
    {
        if (useAsync)
        {
            asyncCall().GetAwaiter().GetResult();
        }
        else
        {
            syncCall();
        }
    }

    [Test]
    public void Path_values_are_escaped_and_models_read_every_format()
    {
        var client = Client(ApiCredentials.FromApiKey("key-123456789"));
        var item = Call(() => client.GetItemAsync("a b/c?d#e%f", xTraceId: "trace-1"), () => client.GetItem("a b/c?d#e%f", xTraceId: "trace-1"));

        Assert.That(item.Labels!["raw"], Is.EqualTo("/v1/items/a%20b%2Fc%3Fd%23e%25f"));
        Assert.That(item.Labels["trace"], Is.EqualTo("trace-1"));
        Assert.That(item.Labels["apiKey"], Is.EqualTo("key-123456789"));
        Assert.That(item.Labels["accept"], Is.EqualTo("application/json"));
        Assert.That(item.Size, Is.EqualTo(5_000_000_000L));
        Assert.That(item.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 22, 5, 0, 0, 123, TimeSpan.Zero)));
        Assert.That(item.Payload, Is.EqualTo("hello"u8.ToArray()));
        Assert.That(item.Note, Is.Null);
    }

    [Test]
    public void Unknown_enum_values_survive_a_round_trip()
    {
        var client = Client();
        var item = Call(() => client.GetItemAsync("x"), () => client.GetItem("x"));
        Assert.That(item.State.Value, Is.EqualTo("hibernating"));
        Assert.That(item.State, Is.Not.EqualTo(State.Running));

        var echoed = Call(() => client.PutItemAsync("x", item), () => client.PutItem("x", item));
        Assert.That(echoed.State, Is.EqualTo((State)"hibernating"));
        Assert.That(echoed.Size, Is.EqualTo(item.Size));
    }

    [Test]
    public void Optional_nulls_are_left_out_of_requests()
    {
        var client = Client();
        var item = new Item { Id = "x", State = State.Paused };
        var raw = Call(() => client.Core.SendForTextAsync(new ApiRequest("PUT", "/items/x").JsonBody(item, BehaviourJsonContext.Default.TypeInfo<Item>())),
            () => client.Core.SendForText(new ApiRequest("PUT", "/items/x").JsonBody(item, BehaviourJsonContext.Default.TypeInfo<Item>())));

        Assert.That(raw, Is.EqualTo("""{"id":"x","state":"paused"}"""));
    }

    [Test]
    public void Credentials_in_models_are_masked_in_ToString()
    {
        var item = new Item { Id = "x", State = State.Running, Secret = "hunter2-very-secret" };
        Assert.That(item.ToString(), Does.Contain("Secret = ***").And.Contain("Id = x").And.Not.Contain("hunter2"));
    }

    [Test]
    public void Catch_all_path_keeps_its_slashes()
    {
        var client = Client();
        var content = new MemoryStream(Encoding.UTF8.GetBytes("uploaded bytes"));
        Call(() => client.PostFilesByPathAsync("home/user/my file#1.txt", content), () => client.PostFilesByPath("home/user/my file#1.txt", content));

        Assert.That(_server.Uploads.Keys, Does.Contain("/v1/files/home/user/my%20file%231.txt"));
        Assert.That(Encoding.UTF8.GetString(_server.Uploads["/v1/files/home/user/my%20file%231.txt"]), Is.EqualTo("uploaded bytes"));
    }

    [Test]
    public void Binary_responses_stream_without_buffering()
    {
        var client = Client();
        _server.ResetDownload();
        using var stream = Call(() => client.GetFilesByPathAsync("data/blob.bin"), () => client.GetFilesByPath("data/blob.bin"));

        // The server holds back the second half until released, so reading the first half proves nothing was buffered whole.
        var first = new byte[4];
        stream.ReadExactly(first);
        Assert.That(first, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        _server.ReleaseDownload.SetResult();
        using var rest = new MemoryStream();
        stream.CopyTo(rest);
        Assert.That(rest.ToArray(), Is.EqualTo(new byte[] { 5, 6, 7, 8 }));
    }

    [Test]
    public void Query_arrays_deep_objects_and_key_prefixed_maps()
    {
        var client = Client();
        var filter = new Dictionary<string, string> { ["owner"] = "me", ["kind"] = "a&b" };
        var metadata = new Dictionary<string, string> { ["team"] = "core" };
        var since = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var echo = Call(
            () => client.SearchAsync(["x", "y z"], [1, 5_000_000_000], filter, metadata, State.Paused, since),
            () => client.Search(["x", "y z"], [1, 5_000_000_000], filter, metadata, State.Paused, since));

        Assert.That(echo.Query, Is.EqualTo(
            "?tags=x&tags=y%20z&ids=1,5000000000&filter[owner]=me&filter[kind]=a%26b&metadata.team=core&state=paused&since=2026-01-02T03%3A04%3A05%2B00%3A00"));
    }

    [Test]
    public void Declared_response_headers_are_readable_through_the_WithResponse_twin()
    {
        var client = Client();
        var response = Call(() => client.SearchWithResponseAsync(tags: ["a"]), () => client.SearchWithResponse(tags: ["a"]));
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Header("x-next-token"), Is.EqualTo("page-2"));
        Assert.That(response.Value.Query, Is.EqualTo("?tags=a"));
    }

    [Test]
    public void Null_query_values_are_left_out()
    {
        var client = Client();
        var echo = Call(() => client.SearchAsync(), () => client.Search());
        Assert.That(echo.Query, Is.Empty);
    }

    [Test]
    public void Multipart_sends_file_text_and_json_parts()
    {
        var client = Client();
        var file = new ApiFile(new MemoryStream(Encoding.UTF8.GetBytes("file body")), "notes.txt", "text/plain");
        var echo = Call(
            () => client.UploadAsync(file, "a description", new Attributes { Mode = "0644" }),
            () => client.Upload(file, "a description", new Attributes { Mode = "0644" }));

        Assert.That(echo.Query, Does.StartWith("multipart/form-data"));
        Assert.That(echo.Parts, Is.EquivalentTo(new[] { "file:notes.txt:text/plain:file body", "description:a description", """attributes:{"mode":"0644"}""" }));
    }

    [Test]
    public async Task Server_sent_events_arrive_as_typed_items()
    {
        var client = Client();
        var items = new List<Progress>();
        if (useAsync)
        {
            await foreach (var item in client.StreamEventsAsync())
            {
                items.Add(item);
            }
        }
        else
        {
            items.AddRange(client.StreamEvents());
        }

        Assert.That(items.Select(i => i.Step), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(items.Select(i => i.Status), Is.All.EqualTo("working"));
    }

    [Test]
    public async Task Raw_server_sent_events_keep_their_fields()
    {
        var client = Client();
        var events = new List<ServerSentEvent>();
        if (useAsync)
        {
            await foreach (var item in client.StreamRawEventsAsync())
            {
                events.Add(item);
            }
        }
        else
        {
            events.AddRange(client.StreamRawEvents());
        }

        Assert.That(events, Is.EqualTo(new[]
        {
            new ServerSentEvent(null, "hello\nworld", null, null),
            new ServerSentEvent("done", "bye", "7", TimeSpan.FromMilliseconds(1500)),
        }));
    }

    [Test]
    public async Task Ndjson_lines_arrive_as_typed_items()
    {
        var client = Client();
        var items = new List<Progress>();
        if (useAsync)
        {
            await foreach (var item in client.StreamLinesAsync())
            {
                items.Add(item);
            }
        }
        else
        {
            items.AddRange(client.StreamLines());
        }

        Assert.That(items.Select(i => i.Status), Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public void Text_responses_are_strings()
    {
        var client = Client();
        Assert.That(Call(() => client.GetTextAsync(), () => client.GetText()), Is.EqualTo("plain text ✓"));
    }

    [Test]
    public void Discriminated_shapes_round_trip_as_a_class_hierarchy()
    {
        var client = Client();
        Shape circle = new Circle { Kind = CircleKind.Circle, Radius = 2.5 };
        var echoed = Call(() => client.EchoShapeAsync(circle), () => client.EchoShape(circle));
        Assert.That(echoed, Is.TypeOf<Circle>());
        Assert.That(((Circle)echoed).Radius, Is.EqualTo(2.5));

        var unknown = JsonSerializer.Deserialize("""{"kind":"hexagon","sides":6}""", BehaviourJsonContext.Default.TypeInfo<Shape>());
        Assert.That(unknown, Is.TypeOf<ShapeUnknown>());
        var again = Call(() => client.EchoShapeAsync(unknown!), () => client.EchoShape(unknown!));
        Assert.That(((ShapeUnknown)again).Json.GetProperty("sides").GetInt32(), Is.EqualTo(6));
    }

    [Test]
    public void Unions_keep_the_raw_json_and_offer_typed_accessors()
    {
        var client = Client();
        var number = Call(() => client.EchoValueAsync(42L), () => client.EchoValue(42L));
        Assert.That(number.AsInt64(), Is.EqualTo(42L));
        Assert.That(number.AsString(), Is.Null);

        var text = Call(() => client.EchoValueAsync("forty-two"), () => client.EchoValue("forty-two"));
        Assert.That(text.AsString(), Is.EqualTo("forty-two"));
        Assert.That(text.Kind, Is.EqualTo(JsonValueKind.String));

        var attributes = Call(() => client.EchoValueAsync(new Attributes { Mode = "x" }), () => client.EchoValue(new Attributes { Mode = "x" }));
        Assert.That(attributes.AsAttributes()!.Mode, Is.EqualTo("x"));
    }

    [Test]
    public void AllOf_flattens_its_parts_into_one_record()
    {
        var named = new Named { Mode = "m", Name = "n" };
        Assert.That(JsonSerializer.Serialize(named, BehaviourJsonContext.Default.TypeInfo<Named>()), Is.EqualTo("""{"mode":"m","name":"n"}"""));
    }

    [Test]
    public void Basic_credentials_fill_a_basic_scheme()
    {
        var client = Client(new ApiCredentials { Username = "user", Password = "pass-word-1" });
        Assert.That(() => Call(() => client.FailAsync(404), () => client.Fail(404)), Throws.InstanceOf<NotFoundException>());
        Assert.That(_server.LastAuthorization, Is.EqualTo("Basic " + Convert.ToBase64String("user:pass-word-1"u8.ToArray())));
    }

    [Test]
    public void Bearer_token_is_used_when_no_api_key_is_given()
    {
        var client = Client(ApiCredentials.FromBearerToken("token-abcdefgh"));
        var item = Call(() => client.GetItemAsync("x"), () => client.GetItem("x"));
        Assert.That(item.Labels!["authorization"], Is.EqualTo("Bearer token-abcdefgh"));
        Assert.That(item.Labels["apiKey"], Is.Empty);
    }

    [TestCase(401, typeof(UnauthorizedException))]
    [TestCase(403, typeof(UnauthorizedException))]
    [TestCase(404, typeof(NotFoundException))]
    [TestCase(402, typeof(QuotaExceededException))]
    [TestCase(4031, typeof(QuotaExceededException))]
    [TestCase(409, typeof(ProviderException))]
    [TestCase(503, typeof(ProviderException))]
    public void Failures_map_to_the_typed_errors(int status, Type expected)
    {
        var client = Client();
        var error = Assert.Catch(() => Call(() => client.FailAsync(status), () => client.Fail(status)));
        Assert.That(error, Is.TypeOf(expected));
        Assert.That(((SandboxException)error!).Provider, Is.EqualTo("behaviour"));
    }

    [Test]
    public void Rate_limits_carry_retry_after_in_seconds_or_as_a_date()
    {
        var client = Client();
        var seconds = Assert.Catch<RateLimitException>(() => Call(() => client.FailAsync(429), () => client.Fail(429)));
        Assert.That(seconds!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));

        var date = Assert.Catch<RateLimitException>(() => Call(() => client.FailAsync(430), () => client.Fail(430)));
        Assert.That(date!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(90)).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Other_failures_carry_status_vendor_code_and_a_scrubbed_body()
    {
        var client = Client();
        var error = Assert.Catch<ProviderException>(() => Call(() => client.FailAsync(500), () => client.Fail(500)));
        Assert.That(error!.StatusCode, Is.EqualTo(500));
        Assert.That(error.ErrorCode, Is.EqualTo("boom"));
        Assert.That(error.ResponseBody, Does.Contain("boom").And.Not.Contain("abcdefghijklmnop"));
        Assert.That(error.Message, Does.Contain("HTTP 500").And.Not.Contain("abcdefghijklmnop"));
    }

    [Test]
    public void Vendor_error_bodies_become_the_message()
    {
        var client = Client();
        var error = Assert.Catch<NotFoundException>(() => Call(() => client.GetItemAsync("missing"), () => client.GetItem("missing")));
        Assert.That(error!.Message, Is.EqualTo("HTTP 404: no such item (code item_not_found)"));
    }

    [Test]
    public void A_call_past_its_timeout_is_a_transient_provider_error()
    {
        var client = new BehaviourClient(_http, new ApiClientOptions
        {
            BaseAddress = new Uri($"http://127.0.0.1:{_server.Port}/v1"),
            Timeout = TimeSpan.FromMilliseconds(200),
        });
        var error = Assert.Catch<ProviderException>(() => Call(
            () => client.Core.SendForTextAsync(new ApiRequest("GET", "/slow")),
            () => client.Core.SendForText(new ApiRequest("GET", "/slow"))));
        Assert.That(error!.StatusCode, Is.EqualTo(408));
        Assert.That(error.IsTransient, Is.True);
    }

    [Test]
    public void The_callers_cancellation_stays_a_cancellation()
    {
        var client = Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.That(() => Call(
            () => client.Core.SendForTextAsync(new ApiRequest("GET", "/slow"), cancel.Token),
            () => client.Core.SendForText(new ApiRequest("GET", "/slow"), cancel.Token)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Base_address_override_wins_over_the_spec_server()
    {
        var client = new BehaviourClient(_http, new ApiClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{_server.Port}/v1/") });
        Assert.That(Call(() => client.GetTextAsync(), () => client.GetText()), Is.EqualTo("plain text ✓"));
        Assert.That(client.Core.BaseAddress, Is.EqualTo(new Uri($"http://127.0.0.1:{_server.Port}/v1")));
    }
}
