using System.Net;
using NUnit.Framework;
using Sandboxes.Http;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>Unit tests of the runtime the generated clients call: request building, error bodies, Retry-After, credentials.</summary>
[TestFixture]
public sealed class HttpRuntimeTests
{
    [TestCase("""{"code":404,"message":"sandbox not found"}""", "404", "sandbox not found")]
    [TestCase("""{"error":{"code":"rate_limited","message":"too many"}}""", "rate_limited", "too many")]
    [TestCase("""{"error":"invalid token","error_code":"E42"}""", "E42", "invalid token")]
    [TestCase("""{"detail":"Not Found"}""", null, "Not Found")]
    [TestCase("upstream connect error\nmore", null, "upstream connect error")]
    [TestCase("", null, null)]
    [TestCase("""{"title":"Cannot find serializer","status":500,"detail":""}""", null, "Cannot find serializer")]
    [TestCase("""{"detail":"Invalid request","validation":[{"message":"a must be integer"},{"message":"b is required"}]}""", null, "Invalid request [a must be integer; b is required]")]
    [TestCase("""{"message":"Bad","errors":["x is wrong"]}""", null, "Bad [x is wrong]")]
    public void Error_bodies_give_code_and_message(string body, string? code, string? message)
    {
        var parsed = ApiErrorBody.Parse(body);
        Assert.That(parsed.Code, Is.EqualTo(code));
        Assert.That(parsed.Message, Is.EqualTo(message));
    }

    [Test]
    public void Quota_messages_map_to_quota_even_on_429()
    {
        Assert.That(HttpErrorMapper.Map("p", 429, """{"code":"insufficient_quota","message":"You exceeded your current quota"}"""), Is.TypeOf<QuotaExceededException>());
        Assert.That(HttpErrorMapper.Map("p", 429, """{"message":"rate limit exceeded"}"""), Is.TypeOf<RateLimitException>());
        Assert.That(HttpErrorMapper.Map("p", 400, """{"message":"Total CPU quota exceeded"}"""), Is.TypeOf<QuotaExceededException>());
        Assert.That(HttpErrorMapper.Map("p", 400, """{"message":"bad field"}"""), Is.TypeOf<ProviderException>());
    }

    [Test]
    public void Retry_after_as_a_date_is_measured_from_the_clock_when_the_response_has_no_date()
    {
        var now = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", now.AddSeconds(30).ToString("R"));
        Assert.That(HttpErrorMapper.ParseRetryAfter(response.Headers, new FixedClock(now)), Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(HttpErrorMapper.ParseRetryAfter(response.Headers, new FixedClock(now.AddMinutes(5))), Is.EqualTo(TimeSpan.Zero));

        using var none = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        Assert.That(HttpErrorMapper.ParseRetryAfter(none.Headers), Is.Null);
    }

    [Test]
    public void Error_messages_never_carry_a_registered_secret()
    {
        var credentials = ApiCredentials.FromApiKey("sk-live-0123456789abcdef");
        var error = HttpErrorMapper.Map("p", 500, """{"message":"key sk-live-0123456789abcdef refused"}""");
        Assert.That(error.Message, Does.Not.Contain("sk-live-0123456789abcdef"));
        Assert.That(((ProviderException)error).ResponseBody, Does.Not.Contain("sk-live-0123456789abcdef"));
        Assert.That(credentials.ToString(), Does.Not.Contain("sk-live-0123456789abcdef"));
    }

    [Test]
    public void Scheme_values_win_over_the_generic_credentials()
    {
        var credentials = new ApiCredentials
        {
            ApiKey = "generic-key-123",
            SchemeValues = new Dictionary<string, string> { ["AccessTokenAuth"] = "access-token-456" },
        };
        Assert.That(credentials.ValueFor(ApiSecurityScheme.ApiKey("accesstokenauth", ApiKeyLocation.Header, "X-Access-Token")), Is.EqualTo("access-token-456"));
        Assert.That(credentials.ValueFor(ApiSecurityScheme.ApiKey("ApiKeyAuth", ApiKeyLocation.Header, "X-API-Key")), Is.EqualTo("generic-key-123"));
        Assert.That(credentials.ValueFor(ApiSecurityScheme.Bearer("Bearer")), Is.Null);
    }

    [Test]
    public void Request_paths_and_queries_are_escaped()
    {
        var request = new ApiRequest("GET", "/a/{id}/files/{path}")
            .Path("id", "x/y z")
            .Path("path", "/etc/my file", catchAll: true)
            .QueryParameter("q", "a+b c")
            .QueryParameter("n", 3)
            .QueryParameter("b", true)
            .QueryParameter("skip", null)
            .QueryParameter("pipes", new[] { "a", "b" }, ParameterStyle.PipeDelimited, explode: false)
            .QueryParameter("map", new Dictionary<string, string> { ["k"] = "v" }, ParameterStyle.Form, explode: false);

        Assert.That(request.BuildPath(), Is.EqualTo("/a/x%2Fy%20z/files//etc/my%20file"));
        Assert.That(request.BuildQuery(), Is.EqualTo("q=a%2Bb%20c&n=3&b=true&pipes=a%7Cb&map=k,v"));
    }

    [Test]
    public void A_missing_path_value_is_refused_before_sending()
    {
        var request = new ApiRequest("GET", "/a/{id}");
        Assert.That(() => request.BuildPath(), Throws.InvalidOperationException.With.Message.Contains("{id}"));
        Assert.That(() => request.Path("id", null), Throws.ArgumentNullException);
    }

    [Test]
    public async Task Form_bodies_are_url_encoded()
    {
        var request = new ApiRequest("POST", "/f").FormField("a", "1 2").FormField("list", new[] { "x", "y" }).FormField("none", null);
        var text = await request.Content!.ReadAsStringAsync();
        Assert.That(text, Is.EqualTo("a=1+2&list=x&list=y"));
        Assert.That(request.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/x-www-form-urlencoded"));
    }

    [Test]
    public async Task Multipart_names_and_file_names_are_quoted()
    {
        var request = new ApiRequest("POST", "/u")
            .Part("file", new ApiFile(new MemoryStream([1]), "notes.txt"))
            .Part("other", new ApiFile(new MemoryStream([2]), "résumé.pdf"))
            .Part("mode", 420);
        var text = await request.Content!.ReadAsStringAsync();
        Assert.That(text, Does.Contain("Content-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"));
        Assert.That(text, Does.Contain("name=\"other\"; filename=\"r_sum_.pdf\"; filename*=utf-8''r%C3%A9sum%C3%A9.pdf"));
        Assert.That(text, Does.Contain("Content-Disposition: form-data; name=\"mode\"\r\n"));
    }

    [Test]
    public void A_client_without_an_absolute_base_address_says_how_to_fix_it()
    {
        var core = new ApiClientCore(new HttpClient(), null, "/relative/api", null, "vendor");
        Assert.That(core.BaseAddress, Is.Null);
        Assert.That(() => core.CreateMessage(new ApiRequest("GET", "/x")), Throws.InstanceOf<BadConfigException>().With.Message.Contains("BaseAddress"));

        var relative = new ApiClientCore(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }, null, "/relative/api", null, "vendor");
        Assert.That(relative.BaseAddress, Is.EqualTo(new Uri("http://127.0.0.1:9/relative/api")));
    }

    [Test]
    public void Server_variables_fill_the_url_and_default_when_not_given()
    {
        var defaults = new Dictionary<string, string> { ["region"] = "eu", ["port"] = "443" };
        var core = new ApiClientCore(new HttpClient(), new ApiClientOptions { ServerVariables = new Dictionary<string, string> { ["region"] = "us" } },
            "https://{region}.api.example.test:{port}/v1", defaults, "vendor");
        Assert.That(core.BaseAddress, Is.EqualTo(new Uri("https://us.api.example.test:443/v1")));
        using var message = core.CreateMessage(new ApiRequest("GET", "/things"));
        Assert.That(message.RequestUri!.AbsoluteUri, Is.EqualTo("https://us.api.example.test/v1/things"));
    }

    [Test]
    public void Api_key_in_the_query_and_cookie_schemes()
    {
        var core = new ApiClientCore(new HttpClient(), new ApiClientOptions { Credentials = ApiCredentials.FromApiKey("query-key-123") }, "http://127.0.0.1:9", null, "v");
        var request = new ApiRequest("GET", "/x").Secure(
            [ApiSecurityScheme.Bearer("b")],
            [ApiSecurityScheme.ApiKey("q", ApiKeyLocation.Query, "api_key"), ApiSecurityScheme.ApiKey("c", ApiKeyLocation.Cookie, "session")]);
        using var message = core.CreateMessage(request);
        Assert.That(message.RequestUri!.Query, Is.EqualTo("?api_key=query-key-123"));
        Assert.That(message.Headers.GetValues("Cookie"), Is.EqualTo(new[] { "session=query-key-123" }));
        Assert.That(message.Headers.Authorization, Is.Null);
    }

    [Test]
    public void Extensible_enums_read_unknown_values_numbers_and_null()
    {
        var info = Generated.Behaviour.BehaviourJsonContext.Default.TypeInfo<Generated.Behaviour.Item>();
        var item = System.Text.Json.JsonSerializer.Deserialize("""{"id":"1","state":null}""", info)!;
        Assert.That(item.State.Value, Is.Empty);
        item = System.Text.Json.JsonSerializer.Deserialize("""{"id":"1","state":7}""", info)!;
        Assert.That(item.State.Value, Is.EqualTo("7"));
        item = System.Text.Json.JsonSerializer.Deserialize("""{"id":"1","state":"Running"}""", info)!;
        Assert.That(item.State, Is.Not.EqualTo(Generated.Behaviour.State.Running), "comparison is ordinal");
        Assert.That(System.Text.Json.JsonSerializer.Serialize(item, info), Does.Contain("\"state\":\"Running\""));
    }

    [Test]
    public void Numbers_sent_as_strings_are_read()
    {
        var info = Generated.Behaviour.BehaviourJsonContext.Default.TypeInfo<Generated.Behaviour.Item>();
        var item = System.Text.Json.JsonSerializer.Deserialize("""{"id":"1","state":"running","size":"5000000000"}""", info)!;
        Assert.That(item.Size, Is.EqualTo(5_000_000_000L));
        Assert.That(System.Text.Json.JsonSerializer.Serialize(item, info), Does.Contain("\"size\":5000000000"));
    }

    [Test]
    public void Options_from_a_provider_config()
    {
        var config = new ProviderConfig { ApiKey = "cfg-key-1234567", BaseUrl = new Uri("https://api.example.test"), DefaultTimeout = TimeSpan.FromSeconds(9) };
        var options = ApiClientOptions.FromConfig(config, "vendor");
        Assert.That(options.BaseAddress, Is.EqualTo(new Uri("https://api.example.test")));
        Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(9)));
        Assert.That(options.ProviderName, Is.EqualTo("vendor"));
        Assert.That(options.Credentials!.ApiKey, Is.EqualTo("cfg-key-1234567"));
        Assert.That(options.Credentials.BearerToken, Is.EqualTo("cfg-key-1234567"));
        Assert.That(ApiClientOptions.FromConfig(new ProviderConfig(), "vendor").Credentials, Is.Null);
        Assert.That(options.ToString(), Does.Not.Contain("cfg-key-1234567"));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
