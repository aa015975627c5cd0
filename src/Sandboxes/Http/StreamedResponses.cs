using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sandboxes.Http;

/// <summary>
/// Reads streamed responses item by item as they arrive: server-sent events through <see cref="SseParser"/> and NDJSON /
/// JSON Lines. The generated stream helpers of each Refit interface call these on the <see cref="HttpResponseMessage"/>
/// its method returns (Refit returns such a response as soon as its headers arrive and does not buffer it).
/// </summary>
public static class StreamedResponses
{
    /// <summary>Yields the events of a <c>text/event-stream</c> response; disposes the response at the end.</summary>
    /// <param name="response">The pending response.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="ProviderException">The response failed, a line was longer than the bound, or the stream broke off.</exception>
    public static async IAsyncEnumerable<SseItem<string>> ReadServerSentEventsAsync(Task<HttpResponseMessage> response,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var message = await response.ConfigureAwait(false);
        var provider = ProviderOf(message);
        await HttpErrorMapper.EnsureSuccessAsync(provider, message, cancellationToken).ConfigureAwait(false);
        var stream = new BoundedEventStream(await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), provider);
        await using (stream.ConfigureAwait(false))
        {
            var items = SseParser.Create(stream).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (items.ConfigureAwait(false))
            {
                while (await MoveNextAsync(items, provider).ConfigureAwait(false))
                {
                    yield return items.Current;
                }
            }
        }
    }

    /// <summary>Yields the data of each server-sent event read as JSON (events without data are skipped).</summary>
    /// <param name="response">The pending response.</param>
    /// <param name="typeInfo">How to read one item.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="ProviderException">The response failed, an item is not valid JSON, or the stream broke off.</exception>
    public static async IAsyncEnumerable<T> ReadEventDataAsync<T>(Task<HttpResponseMessage> response, JsonTypeInfo<T> typeInfo,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        await foreach (var item in ReadServerSentEventsAsync(response, cancellationToken).ConfigureAwait(false))
        {
            if (item.Data.Length > 0)
            {
                yield return Deserialize(item.Data, typeInfo, "server-sent event");
            }
        }
    }

    /// <summary>Yields each non-empty line of an NDJSON / JSON Lines response read as JSON; disposes the response at the end.</summary>
    /// <param name="response">The pending response.</param>
    /// <param name="typeInfo">How to read one item.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="ProviderException">The response failed, a line is not valid JSON or too long, or the stream broke off.</exception>
    public static async IAsyncEnumerable<T> ReadJsonLinesAsync<T>(Task<HttpResponseMessage> response, JsonTypeInfo<T> typeInfo,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(typeInfo);
        using var message = await response.ConfigureAwait(false);
        var provider = ProviderOf(message);
        await HttpErrorMapper.EnsureSuccessAsync(provider, message, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamedLineReader(await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), provider);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return Deserialize(line, typeInfo, "JSON line");
            }
        }
    }

    // A stream that breaks off mid-item is the vendor's failure, typed like any other.
    private static async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<SseItem<string>> items, string provider)
    {
        try
        {
            return await items.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new ProviderException(provider, "The event stream broke off: " + e.Message, innerException: e);
        }
    }

    private static T Deserialize<T>(string text, JsonTypeInfo<T> typeInfo, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(text, typeInfo)!;
        }
        catch (JsonException e)
        {
            throw new ProviderException(ProviderOf(null), $"A {what} is not a valid {typeof(T).Name}: {e.Message}", innerException: e);
        }
    }

    /// <summary>The provider a response came from, as the error handler marked its request; the host otherwise.</summary>
    private static string ProviderOf(HttpResponseMessage? message) =>
        message?.RequestMessage is { } request && request.Options.TryGetValue(ProviderErrorHandler.ProviderKey, out var provider)
            ? provider
            : message?.RequestMessage?.RequestUri?.Host ?? "http";
}
