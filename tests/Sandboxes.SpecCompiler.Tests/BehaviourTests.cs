using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Refit;
using Sandboxes.Http;
using Sandboxes.SpecCompiler.Tests.Generated.Behaviour;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// The Refit client of TestSpecs/behaviour.yaml (its interface compiled into this project by the spec compiler's targets,
/// its implementation by Refit's generator) against a real Kestrel server: what goes on the wire and what comes back,
/// through <see cref="ProviderClients"/> as the adapters make their clients (headers and typed errors as handlers), and
/// through plain Refit as a user of the package would.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BehaviourTests
{
    private BehaviourServer _server = null!;
    private RecordingHandler _recorder = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await BehaviourServer.StartAsync();
        _recorder = new RecordingHandler { InnerHandler = new SocketsHttpHandler() };
        _http = new HttpClient(_recorder);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http.Dispose();
        _recorder.Dispose();
        await _server.DisposeAsync();
    }

    private Uri BaseAddress => new($"http://127.0.0.1:{_server.Port}/v1");

    private IBehaviourApi Client(IEnumerable<KeyValuePair<string, string>>? headers = null, TimeSpan? timeout = null) =>
        ProviderClients.For<IBehaviourApi>(_http, BaseAddress, "behaviour", BehaviourJsonContext.Default, timeout, headers);

    private static KeyValuePair<string, string>[] ApiKey(string key) => [new("X-API-Key", key)];

    [Test]
    public async Task Path_values_are_escaped_and_models_read_every_format()
    {
        var client = Client(ApiKey("key-123456789"));
        var item = await client.GetItemAsync("a b/c?d#e%f", xTraceId: "trace-1");

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
    public async Task Unknown_enum_values_survive_a_round_trip()
    {
        var client = Client();
        var item = await client.GetItemAsync("x");
        Assert.That(item.State.Value, Is.EqualTo("hibernating"));
        Assert.That(item.State, Is.Not.EqualTo(State.Running));

        var echoed = await client.PutItemAsync("x", item);
        Assert.That(echoed.State, Is.EqualTo((State)"hibernating"));
        Assert.That(echoed.Size, Is.EqualTo(item.Size));
    }

    [Test]
    public async Task Optional_nulls_are_left_out_of_requests()
    {
        var client = Client();
        var item = new Item { Id = "x", State = State.Paused };
        await client.PutItemAsync("x", item);

        Assert.That(_recorder.LastBody, Is.EqualTo("""{"id":"x","state":"paused"}"""));
    }

    [Test]
    public void Credentials_in_models_are_masked_in_ToString()
    {
        var item = new Item { Id = "x", State = State.Running, Secret = "hunter2-very-secret" };
        Assert.That(item.ToString(), Does.Contain("Secret = ***").And.Contain("Id = x").And.Not.Contain("hunter2"));
    }

    [Test]
    public async Task Catch_all_path_keeps_its_slashes()
    {
        var client = Client();
        var content = new MemoryStream(Encoding.UTF8.GetBytes("uploaded bytes"));
        await client.PostFilesByPathAsync("home/user/my file#1.txt", content);

        Assert.That(_server.Uploads.Keys, Does.Contain("/v1/files/home/user/my%20file%231.txt"));
        Assert.That(Encoding.UTF8.GetString(_server.Uploads["/v1/files/home/user/my%20file%231.txt"]), Is.EqualTo("uploaded bytes"));
    }

    [Test]
    public async Task Binary_responses_stream_without_buffering()
    {
        var client = Client();
        _server.ResetDownload();
        using var stream = await client.GetFilesByPathAsync("data/blob.bin");

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
    public async Task Query_arrays_deep_objects_and_key_prefixed_maps()
    {
        var client = Client();
        var filter = new Dictionary<string, string> { ["owner"] = "me", ["kind"] = "a&b" };
        var metadata = new Dictionary<string, string> { ["team"] = "core" };
        var since = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var echo = await client.SearchAsync(["x", "y z"], [1, 5_000_000_000], filter, metadata, State.Paused.Value, since);

        // Refit percent-encodes the comma that joins a non-exploded array (ids=1%2C5000000000): the same value to a server,
        // which decodes the query before splitting it.
        Assert.That(echo.Query, Is.EqualTo(
            "?tags=x&tags=y%20z&ids=1%2C5000000000&filter[owner]=me&filter[kind]=a%26b&metadata.team=core&state=paused&since=2026-01-02T03%3A04%3A05%2B00%3A00"));
    }

    [Test]
    public async Task Declared_response_headers_are_readable_through_the_WithResponse_twin()
    {
        var client = Client();
        using var response = await client.SearchWithResponseAsync(tags: ["a"]);
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(response.Header("x-next-token"), Is.EqualTo("page-2"));
        Assert.That(response.Content!.Query, Is.EqualTo("?tags=a"));
    }

    [Test]
    public async Task Null_query_values_are_left_out()
    {
        var client = Client();
        var echo = await client.SearchAsync();
        Assert.That(echo.Query, Is.Empty);
    }

    [Test]
    public async Task Multipart_sends_file_text_and_json_parts()
    {
        var client = Client();
        var file = new StreamPart(new MemoryStream(Encoding.UTF8.GetBytes("file body")), "notes.txt", "text/plain");
        var echo = await client.UploadAsync(file, "a description", new Attributes { Mode = "0644" });

        Assert.That(echo.Query, Does.StartWith("multipart/form-data"));
        Assert.That(echo.Parts, Is.EquivalentTo(new[] { "file:notes.txt:text/plain:file body", "description:a description", """attributes:{"mode":"0644"}""" }));
    }

    [Test]
    public async Task Server_sent_events_arrive_as_typed_items()
    {
        var client = Client();
        var items = new List<Progress>();
        await foreach (var item in client.StreamEventsStreamAsync())
        {
            items.Add(item);
        }

        Assert.That(items.Select(i => i.Step), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(items.Select(i => i.Status), Is.All.EqualTo("working"));
    }

    [Test]
    public async Task Raw_server_sent_events_keep_their_fields()
    {
        var client = Client();
        var events = new List<SseItem<string>>();
        await foreach (var item in client.StreamRawEventsStreamAsync())
        {
            events.Add(item);
        }

        Assert.That(events.Select(e => (e.EventType, e.Data, e.EventId, e.ReconnectionInterval)), Is.EqualTo(new (string, string, string?, TimeSpan?)[]
        {
            ("message", "hello\nworld", null, null),
            ("done", "bye", "7", TimeSpan.FromMilliseconds(1500)),
        }));
    }

    [Test]
    public async Task Ndjson_lines_arrive_as_typed_items()
    {
        var client = Client();
        var items = new List<Progress>();
        await foreach (var item in client.StreamLinesStreamAsync())
        {
            items.Add(item);
        }

        Assert.That(items.Select(i => i.Status), Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public async Task Text_responses_are_strings()
    {
        var client = Client();
        Assert.That(await client.GetTextAsync(), Is.EqualTo("plain text ✓"));
    }

    [Test]
    public async Task Discriminated_shapes_round_trip_as_a_class_hierarchy()
    {
        var client = Client();
        Shape circle = new Circle { Kind = CircleKind.Circle, Radius = 2.5 };
        var echoed = await client.EchoShapeAsync(circle);
        Assert.That(echoed, Is.TypeOf<Circle>());
        Assert.That(((Circle)echoed).Radius, Is.EqualTo(2.5));

        var unknown = JsonSerializer.Deserialize("""{"kind":"hexagon","sides":6}""", BehaviourJsonContext.Default.Shape);
        Assert.That(unknown, Is.TypeOf<ShapeUnknown>());
        var again = await client.EchoShapeAsync(unknown!);
        Assert.That(((ShapeUnknown)again).Json.GetProperty("sides").GetInt32(), Is.EqualTo(6));
    }

    [Test]
    public async Task Unions_keep_the_raw_json_and_offer_typed_accessors()
    {
        var client = Client();
        var number = await client.EchoValueAsync(42L);
        Assert.That(number.AsInt64(), Is.EqualTo(42L));
        Assert.That(number.AsString(), Is.Null);

        var text = await client.EchoValueAsync("forty-two");
        Assert.That(text.AsString(), Is.EqualTo("forty-two"));
        Assert.That(text.Kind, Is.EqualTo(JsonValueKind.String));

        var attributes = await client.EchoValueAsync(new Attributes { Mode = "x" });
        Assert.That(attributes.AsAttributes()!.Mode, Is.EqualTo("x"));
    }

    [Test]
    public void AllOf_flattens_its_parts_into_one_record()
    {
        var named = new Named { Mode = "m", Name = "n" };
        Assert.That(JsonSerializer.Serialize(named, BehaviourJsonContext.Default.Named), Is.EqualTo("""{"mode":"m","name":"n"}"""));
    }

    [Test]
    public void Basic_credentials_travel_as_a_default_header()
    {
        var client = Client([new("Authorization", "Basic " + Convert.ToBase64String("user:pass-word-1"u8.ToArray()))]);
        Assert.That(async () => await client.FailAsync(404), Throws.InstanceOf<NotFoundException>());
        Assert.That(_server.LastAuthorization, Is.EqualTo("Basic " + Convert.ToBase64String("user:pass-word-1"u8.ToArray())));
    }

    [Test]
    public async Task A_bearer_token_travels_as_a_default_header()
    {
        var client = Client([new("Authorization", "Bearer token-abcdefgh")]);
        var item = await client.GetItemAsync("x");
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
        var error = Assert.CatchAsync(async () => await client.FailAsync(status));
        Assert.That(error, Is.TypeOf(expected));
        Assert.That(((SandboxException)error!).Provider, Is.EqualTo("behaviour"));
    }

    [Test]
    public void Rate_limits_carry_retry_after_in_seconds_or_as_a_date()
    {
        var client = Client();
        var seconds = Assert.CatchAsync<RateLimitException>(async () => await client.FailAsync(429));
        Assert.That(seconds!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));

        var date = Assert.CatchAsync<RateLimitException>(async () => await client.FailAsync(430));
        Assert.That(date!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(90)).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Other_failures_carry_status_vendor_code_and_a_scrubbed_body()
    {
        var client = Client();
        var error = Assert.CatchAsync<ProviderException>(async () => await client.FailAsync(500));
        Assert.That(error!.StatusCode, Is.EqualTo(500));
        Assert.That(error.ErrorCode, Is.EqualTo("boom"));
        Assert.That(error.ResponseBody, Does.Contain("boom").And.Not.Contain("abcdefghijklmnop"));
        Assert.That(error.Message, Does.Contain("HTTP 500").And.Not.Contain("abcdefghijklmnop"));
    }

    [Test]
    public void Vendor_error_bodies_become_the_message()
    {
        var client = Client();
        var error = Assert.CatchAsync<NotFoundException>(async () => await client.GetItemAsync("missing"));
        Assert.That(error!.Message, Is.EqualTo("HTTP 404: no such item (code item_not_found)"));
    }

    [Test]
    public void A_call_past_its_timeout_is_a_transient_provider_error()
    {
        // /slow is not in the spec: the handlers are the same for a call the interface does not describe.
        using var client = ProviderClients.CreateHttpClient(_http, new Uri(BaseAddress + "/"), "behaviour", TimeSpan.FromMilliseconds(200));
        var error = Assert.CatchAsync<ProviderException>(async () => await client.GetAsync(new Uri("slow", UriKind.Relative)));
        Assert.That(error!.StatusCode, Is.EqualTo(408));
        Assert.That(error.IsTransient, Is.True);
    }

    [Test]
    public void The_callers_cancellation_stays_a_cancellation()
    {
        using var client = ProviderClients.CreateHttpClient(_http, new Uri(BaseAddress + "/"), "behaviour");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.That(async () => await client.GetAsync(new Uri("slow", UriKind.Relative), cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_plain_Refit_client_works_without_the_librarys_handlers()
    {
        // What a user of the package writes: Refit's own factory, the generated JSON context, the spec's relative paths.
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var client = RestService.ForGenerated<IBehaviourApi>(http, RefitSettings.ForJsonContext(BehaviourJsonContext.Default));
        Assert.That(await client.GetTextAsync(), Is.EqualTo("plain text ✓"));
        var error = Assert.CatchAsync<ApiException>(async () => await client.FailAsync(404));
        Assert.That((int)error!.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public void The_interface_names_the_specs_server()
    {
        Assert.That(IBehaviourApi.DefaultBaseUrl, Is.EqualTo("http://127.0.0.1:1/v1"));
    }
}
