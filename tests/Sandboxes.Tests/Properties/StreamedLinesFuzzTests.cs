using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Sandboxes.Http;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Server-sent events and NDJSON as the generated stream helpers read them (<see cref="StreamedResponses"/>, over
/// System.Net.ServerSentEvents), given arbitrary and damaged bodies: events or items, then the end or a typed error,
/// within a bound; a body that never ends a line, or an event that never ends, is refused before it is held whole.
/// </summary>
[TestFixture]
public sealed class StreamedLinesFuzzTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly JsonTypeInfo<JsonElement> Element = (JsonTypeInfo<JsonElement>)JsonSerializerOptions.Default.GetTypeInfo(typeof(JsonElement));

    [Test]
    public void Arbitrary_and_damaged_event_streams_give_events_or_a_typed_error()
    {
        Check.One(FuzzProfile.Config(ci: 300, @long: 20_000), Prop.ForAll(FuzzBytes.From(ValidEvents()).ToArbitrary(), bytes =>
        {
            var outcome = Bounded.Run(Bound, async ct =>
            {
                var count = 0;
                await foreach (var _ in StreamedResponses.ReadEventDataAsync(Get(bytes, "text/event-stream", ct), Element, ct))
                {
                    count++;
                }

                await foreach (var _ in StreamedResponses.ReadServerSentEventsAsync(Get(bytes, "text/event-stream", ct), ct))
                {
                    count++;
                }

                return count;
            }, "an event stream");
            PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{outcome}\n{outcome.Error}");
        }));
    }

    [Test]
    public void Arbitrary_and_damaged_json_lines_give_items_or_a_typed_error()
    {
        Check.One(FuzzProfile.Config(ci: 300, @long: 20_000), Prop.ForAll(FuzzBytes.From(ValidLines()).ToArbitrary(), bytes =>
        {
            var outcome = Bounded.Run(Bound, async ct =>
            {
                var count = 0;
                await foreach (var _ in StreamedResponses.ReadJsonLinesAsync(Get(bytes, "application/x-ndjson", ct), Element, ct))
                {
                    count++;
                }

                return count;
            }, "a JSON-lines stream");
            PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{outcome}\n{outcome.Error}");
        }));
    }

    [Test]
    public void A_line_that_never_ends_is_refused_after_a_bounded_read()
    {
        foreach (var (type, filler) in new[] { ("text/event-stream", (byte)'a'), ("application/x-ndjson", (byte)' ') })
        {
            ChunkedStream? stream = null;
            var http = new HttpClient(new BytesHandler(() => stream = new ChunkedStream("data: "u8.ToArray(), 64 * 1024, filler), type));
            var outcome = Bounded.Run(TimeSpan.FromSeconds(60), async ct =>
            {
                var response = http.GetAsync(new Uri("http://vendor.test/"), HttpCompletionOption.ResponseHeadersRead, ct);
                var items = type == "text/event-stream"
                    ? StreamedResponses.ReadServerSentEventsAsync(response, ct).Select(e => (object)e)
                    : StreamedResponses.ReadJsonLinesAsync(response, Element, ct).Select(e => (object)e);
                await foreach (var _ in items)
                {
                }

                return true;
            }, "an endless line");

            Assert.That(outcome.Error, Is.InstanceOf<ProviderException>(), type);
            Assert.That(stream!.Consumed, Is.LessThan(3L * StreamedLineReader.MaxLineLength), "read no further than the bound");
        }
    }

    [Test]
    public void An_event_that_never_ends_is_refused_after_a_bounded_read()
    {
        var line = "data: 0123456789abcdef0123456789abcdef0123456789abcdef\n"u8.ToArray();
        var body = new byte[line.Length * 400_000];
        for (var i = 0; i < 400_000; i++)
        {
            line.CopyTo(body, i * line.Length);
        }

        var outcome = Bounded.Run(TimeSpan.FromSeconds(60), async ct =>
        {
            var count = 0;
            await foreach (var _ in StreamedResponses.ReadServerSentEventsAsync(Get(body, "text/event-stream", ct), ct))
            {
                count++;
            }

            return count;
        }, "an endless event");

        Assert.That(outcome.Error, Is.InstanceOf<ProviderException>().With.Message.Contains("server-sent event"));
    }

    /// <summary>A response as Refit returns it for a streamed operation: pending, its body arriving in small chunks.</summary>
    private static Task<HttpResponseMessage> Get(byte[] body, string type, CancellationToken cancellationToken) =>
        new HttpClient(new BytesHandler(() => new ChunkedStream(body, 5), type))
            .GetAsync(new Uri("http://vendor.test/events"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    private static Gen<byte[]> ValidEvents() =>
        Gen.ListOf(Gen.Zip(Gen.Elements("message", "error", "ping", ""), HostileInput.AnyString))
            .Select(events => Encoding.UTF8.GetBytes(string.Concat(events.Take(5).Select(e =>
                (e.Item1.Length > 0 ? $"event: {e.Item1}\n" : ": comment\r\n") + $"id: 1\nretry: 10\ndata: {JsonSerializer.Serialize(e.Item2)}\ndata: \n\n"))));

    private static Gen<byte[]> ValidLines() =>
        Gen.ListOf(HostileInput.AnyString).Select(lines => Encoding.UTF8.GetBytes(string.Concat(lines.Take(5).Select(l => JsonSerializer.Serialize(new { text = l }) + "\n"))));
}
