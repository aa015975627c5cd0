using System.Net;
using NUnit.Framework;
using Sandboxes.Http;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>Unit tests of what the library adds to Refit: error bodies, Retry-After, scrubbing, client construction, enum and number leniency.</summary>
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
        SecretScrubber.Register("sk-live-0123456789abcdef");
        var error = HttpErrorMapper.Map("p", 500, """{"message":"key sk-live-0123456789abcdef refused"}""");
        Assert.That(error.Message, Does.Not.Contain("sk-live-0123456789abcdef"));
        Assert.That(((ProviderException)error).ResponseBody, Does.Not.Contain("sk-live-0123456789abcdef"));
    }

    [Test]
    public void Extensible_enums_read_unknown_values_numbers_and_null()
    {
        var info = Generated.Behaviour.BehaviourJsonContext.Default.Item;
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
        var info = Generated.Behaviour.BehaviourJsonContext.Default.Item;
        var item = System.Text.Json.JsonSerializer.Deserialize("""{"id":"1","state":"running","size":"5000000000"}""", info)!;
        Assert.That(item.Size, Is.EqualTo(5_000_000_000L));
        Assert.That(System.Text.Json.JsonSerializer.Serialize(item, info), Does.Contain("\"size\":5000000000"));
    }

    [Test]
    public void A_provider_client_needs_an_absolute_base_address_and_a_positive_timeout()
    {
        using var http = new HttpClient();
        Assert.That(() => ProviderClients.CreateHttpClient(http, new Uri("/relative/api", UriKind.Relative), "vendor"),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains("absolute"));
        Assert.That(() => ProviderClients.For<Generated.Behaviour.IBehaviourApi>(http, new Uri("http://127.0.0.1:9/"), "vendor",
            Generated.Behaviour.BehaviourJsonContext.Default, TimeSpan.Zero), Throws.InstanceOf<BadConfigException>());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
