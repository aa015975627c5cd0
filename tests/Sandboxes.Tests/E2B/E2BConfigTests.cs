using System.Net;
using System.Text;
using NUnit.Framework;
using Sandboxes.Providers.E2B;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Tests.E2B;

/// <summary>
/// Where and how the e2b adapter sends its requests, at the HTTP boundary: E2B's SDK semantics for the key, the domain,
/// the API and sandbox URLs, envd's host and headers, the user header, the metadata filter; and the small pure pieces
/// (paths, process ends).
/// </summary>
[TestFixture]
public sealed class E2BConfigTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Test]
    public void Defaults_are_those_of_E2Bs_SDKs()
    {
        var options = E2BOptions.From(new ProviderConfig(), NoEnvironment.GetValueOrDefault);

        Assert.That(options.ApiUrl, Is.EqualTo(new Uri("https://api.e2b.app")));
        Assert.That(options.Domain, Is.EqualTo("e2b.app"));
        Assert.That(options.ApiKey, Is.Null);
        Assert.That(options.SandboxUrl, Is.Null);
        Assert.That(options.Workdir, Is.EqualTo("/home/user"));
        Assert.That(options.User, Is.EqualTo("user"));
        Assert.That(options.Template, Is.EqualTo("base"));
        Assert.That(options.SandboxTimeoutSeconds, Is.EqualTo(300));
        Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public void The_environment_fills_what_the_config_leaves_out_and_the_config_wins()
    {
        var environment = new Dictionary<string, string>
        {
            ["E2B_API_KEY"] = "e2b_from_env", ["E2B_DOMAIN"] = "example.dev", ["E2B_SANDBOX_URL"] = "http://127.0.0.1:9/",
        };

        var fromEnvironment = E2BOptions.From(new ProviderConfig(), environment.GetValueOrDefault);
        var fromConfig = E2BOptions.From(new ProviderConfig
        {
            ApiKey = "e2b_from_config", BaseUrl = new Uri("http://api.local:8080"),
            Extra = new Dictionary<string, object?> { ["domain"] = "config.dev", ["workdir"] = "/workspace/", ["auto_pause"] = "yes" },
        }, environment.GetValueOrDefault);

        Assert.That(fromEnvironment.ApiKey, Is.EqualTo("e2b_from_env"));
        Assert.That(fromEnvironment.ApiUrl, Is.EqualTo(new Uri("https://api.example.dev")), "E2B_DOMAIN names the API host too");
        Assert.That(fromEnvironment.SandboxUrl, Is.EqualTo(new Uri("http://127.0.0.1:9/")));
        Assert.That(fromConfig.ApiKey, Is.EqualTo("e2b_from_config"));
        Assert.That(fromConfig.ApiUrl, Is.EqualTo(new Uri("http://api.local:8080")));
        Assert.That(fromConfig.Domain, Is.EqualTo("config.dev"));
        Assert.That(fromConfig.Workdir, Is.EqualTo("/workspace"));
        Assert.That(fromConfig.AutoPause, Is.True);
    }

    [TestCase("sandbox_url", "not a url")]
    [TestCase("sandbox_url", "ftp://host/")]
    [TestCase("workdir", "relative/dir")]
    [TestCase("domain", "https://e2b.app")]
    [TestCase("auto_pause", "maybe")]
    public void Malformed_settings_are_bad_config(string key, string value)
    {
        Assert.That(() => E2BOptions.From(new ProviderConfig { Extra = new Dictionary<string, object?> { [key] = value } }, NoEnvironment.GetValueOrDefault),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains(key));
    }

    [Test]
    public async Task The_control_plane_gets_the_key_in_X_API_Key_and_the_metadata_filter_as_E2Bs_SDKs_write_it()
    {
        var stub = new RecordingHandler(_ => Json(HttpStatusCode.OK, "[]"));
        await using var provider = Provider(stub, domain: "example.dev");

        await provider.ListSandboxesAsync(new ListSandboxesFilter
        {
            Labels = new Dictionary<string, string> { ["team"] = "a b", ["k&v"] = "1=2" }, Status = SandboxStatus.Paused,
        }, CancellationToken.None);

        var request = stub.Requests.Single();
        Assert.That(request.RequestUri!.GetLeftPart(UriPartial.Path), Is.EqualTo("https://api.example.dev/v2/sandboxes"));
        Assert.That(request.Headers.GetValues("X-API-Key").Single(), Is.EqualTo("e2b_test_key"));
        var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
        Assert.That(query["metadata"], Is.EqualTo("team=a%20b&k%26v=1%3D2"), "each key and value URL-encoded, then the whole as one parameter");
        Assert.That(query["state"], Is.EqualTo("paused"));
    }

    [Test]
    public async Task Envd_is_reached_at_its_port_host_with_the_access_token_and_the_sandbox_named_in_headers()
    {
        var stub = new RecordingHandler(request => request.RequestUri!.Host.StartsWith("api.", StringComparison.Ordinal)
            ? Json(HttpStatusCode.Created, """{"templateID":"base","sandboxID":"isb1","clientID":"c","envdVersion":"0.6.4","envdAccessToken":"tok-123","domain":"custom.dev"}""")
            : Connect(new StartResponse { Event = new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = 5 } } },
                new StartResponse { Event = new ProcessEvent { End = new ProcessEvent.Types.EndEvent { Exited = true, Status = "exit status 0" } } }));
        await using var provider = Provider(stub, domain: "example.dev");

        var info = await provider.CreateSandboxAsync(new CreateSandboxRequest { TimeoutSeconds = 30 }, CancellationToken.None);
        await provider.RunCommandAsync(info.Id, new RunCommandRequest("true") { User = "root" }, CancellationToken.None);
        var port = await provider.GetPortUrlAsync(info.Id, 8080, CancellationToken.None);

        var create = stub.Requests[0];
        Assert.That(create.RequestUri!.AbsoluteUri, Is.EqualTo("https://api.example.dev/sandboxes"));
        Assert.That(stub.Bodies[0], Does.Contain("\"templateID\":\"base\"").And.Contain("\"timeout\":30").And.Contain("\"secure\":true"));
        var start = stub.Requests[1];
        Assert.That(start.RequestUri!.AbsoluteUri, Is.EqualTo("https://49983-isb1.custom.dev/process.Process/Start"), "the domain the API returned wins");
        Assert.That(start.Headers.GetValues("X-Access-Token").Single(), Is.EqualTo("tok-123"));
        Assert.That(start.Headers.GetValues("E2b-Sandbox-Id").Single(), Is.EqualTo("isb1"));
        Assert.That(start.Headers.GetValues("E2b-Sandbox-Port").Single(), Is.EqualTo("49983"));
        Assert.That(start.Headers.GetValues("Authorization").Single(), Is.EqualTo("Basic " + Convert.ToBase64String("root:"u8.ToArray())));
        Assert.That(start.Headers.Contains("X-API-Key"), Is.False, "the API key never goes to the sandbox");
        Assert.That(port, Is.EqualTo(new Uri("https://8080-isb1.custom.dev/")));
    }

    [Test]
    public async Task Sandbox_url_sends_envd_traffic_elsewhere_and_sandbox_rpc_url_only_the_rpc_part()
    {
        var stub = new RecordingHandler(request => request.RequestUri!.AbsolutePath == "/sandboxes"
            ? Json(HttpStatusCode.Created, """{"templateID":"base","sandboxID":"isb2","clientID":"c","envdVersion":"0.6.4","envdAccessToken":"t"}""")
            : request.RequestUri.AbsolutePath == "/files"
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("data"u8.ToArray()) }
                : Connect(new Providers.E2B.Rpc.Filesystem.StatResponse()));
        await using var provider = Provider(stub, extra: new() { ["sandbox_url"] = "http://127.0.0.1:7001", ["sandbox_rpc_url"] = "http://127.0.0.1:7002" });

        var info = await provider.CreateSandboxAsync(new CreateSandboxRequest(), CancellationToken.None);
        await using (await provider.OpenReadAsync(info.Id, "notes.txt", CancellationToken.None))
        {
        }

        await provider.ExistsAsync(info.Id, "/etc", CancellationToken.None);

        Assert.That(stub.Requests[1].RequestUri!.GetLeftPart(UriPartial.Path), Is.EqualTo("http://127.0.0.1:7001/files"));
        Assert.That(System.Web.HttpUtility.ParseQueryString(stub.Requests[1].RequestUri!.Query)["path"], Is.EqualTo("/home/user/notes.txt"),
            "relative paths are taken from the working directory");
        Assert.That(stub.Requests[2].RequestUri!.AbsoluteUri, Is.EqualTo("http://127.0.0.1:7002/filesystem.Filesystem/Stat"));
        Assert.That(stub.Requests[2].Headers.GetValues("E2b-Sandbox-Id").Single(), Is.EqualTo("isb2"));
    }

    [TestCase("a/b", "/w/a/b")]
    [TestCase("/x/./y//z/", "/x/y/z")]
    [TestCase("../w2/f", "/w2/f")]
    [TestCase("/", "/")]
    public void Paths_are_made_absolute_from_the_working_directory(string path, string expected) =>
        Assert.That(E2BPaths.Absolute(path, "/w"), Is.EqualTo(expected));

    [Test]
    public void A_path_above_the_root_is_refused() =>
        Assert.That(() => E2BPaths.Absolute("../../etc", "/w"), Throws.InstanceOf<InvalidSandboxPathException>());

    [TestCase(true, 3, "exit status 3", null, 3, null)]
    [TestCase(false, -1, "signal: killed", "signal: killed", 137, 9)]
    [TestCase(false, -1, "signal: terminated", "signal: terminated", 143, 15)]
    [TestCase(false, -1, "signal: segmentation fault (core dumped)", null, 139, 11)]
    [TestCase(false, -1, "", null, 137, 9)]
    public void Envd_end_events_become_shell_style_exit_codes(bool exited, int code, string status, string? error, int expectedCode, int? expectedSignal)
    {
        var end = new ProcessEvent.Types.EndEvent { Exited = exited, ExitCode = code, Status = status };
        if (error is not null)
        {
            end.Error = error;
        }

        var result = ProcessEnd.From(end);

        Assert.That(result.ExitCode, Is.EqualTo(expectedCode));
        Assert.That(result.Signal, Is.EqualTo(expectedSignal));
        Assert.That(result.Error, expectedSignal is null ? Is.Null : Does.Contain($"signal {expectedSignal}"));
    }

    private static E2BProvider Provider(RecordingHandler stub, string? domain = null, Dictionary<string, object?>? extra = null)
    {
        extra ??= [];
        if (domain is not null)
        {
            extra["domain"] = domain;
        }

        return new E2BProvider(new ProviderConfig { ApiKey = "e2b_test_key", HttpClient = new HttpClient(stub), Extra = extra });
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Connect(params Google.Protobuf.IMessage[] messages)
    {
        var body = new MemoryStream();
        foreach (var message in messages)
        {
            var payload = Google.Protobuf.MessageExtensions.ToByteArray(message);
            var prefix = new byte[5];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)payload.Length);
            body.Write(prefix);
            body.Write(payload);
        }

        var unary = messages.Length == 1 && messages[0] is not StartResponse;
        var content = unary ? new ByteArrayContent(Google.Protobuf.MessageExtensions.ToByteArray(messages[0])) : new ByteArrayContent(body.ToArray().Concat(new byte[] { 2, 0, 0, 0, 2, (byte)'{', (byte)'}' }).ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(unary ? "application/proto" : "application/connect+proto");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    /// <summary>Answers requests with a function of them and keeps each request and its body.</summary>
    private sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
            Requests.Add(request);
            return respond(request);
        }
    }
}
