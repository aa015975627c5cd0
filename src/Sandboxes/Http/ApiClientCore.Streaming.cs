using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sandboxes.Http;

/// <summary>The streamed responses of <see cref="ApiClientCore"/>: server-sent events and NDJSON, read as they arrive.</summary>
public partial class ApiClientCore
{
    /// <summary>Sends a request and yields the events of its <c>text/event-stream</c> response as they arrive.</summary>
    public async IAsyncEnumerable<ServerSentEvent> StreamServerSentEventsAsync(ApiRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = await OpenReaderAsync(request, "text/event-stream", async: true, cancellationToken).ConfigureAwait(false);
        var parser = new SseParser(ProviderName);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (parser.Feed(line) is { } item)
            {
                yield return item;
            }
        }

        if (parser.Complete() is { } last)
        {
            yield return last;
        }
    }

    /// <summary>The synchronous twin of <see cref="StreamServerSentEventsAsync"/>.</summary>
    public IEnumerable<ServerSentEvent> StreamServerSentEvents(ApiRequest request, CancellationToken cancellationToken = default)
    {
        using var reader = Completed(OpenReaderAsync(request, "text/event-stream", async: false, cancellationToken));
        var parser = new SseParser(ProviderName);
        while (reader.ReadLine() is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (parser.Feed(line) is { } item)
            {
                yield return item;
            }
        }

        if (parser.Complete() is { } last)
        {
            yield return last;
        }
    }

    /// <summary>Yields the data of each server-sent event read as JSON with <paramref name="typeInfo"/> (events without data are skipped).</summary>
    public async IAsyncEnumerable<T> StreamEventsAsync<T>(ApiRequest request, JsonTypeInfo<T> typeInfo,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in StreamServerSentEventsAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (item.Data.Length > 0)
            {
                yield return Deserialize(item.Data, typeInfo);
            }
        }
    }

    /// <summary>The synchronous twin of <see cref="StreamEventsAsync{T}"/>.</summary>
    public IEnumerable<T> StreamEvents<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        StreamServerSentEvents(request, cancellationToken).Where(e => e.Data.Length > 0).Select(e => Deserialize(e.Data, typeInfo));

    /// <summary>Yields each line of an NDJSON (JSON Lines) response read with <paramref name="typeInfo"/>, as it arrives.</summary>
    public async IAsyncEnumerable<T> StreamJsonLinesAsync<T>(ApiRequest request, JsonTypeInfo<T> typeInfo,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = await OpenReaderAsync(request, "application/x-ndjson", async: true, cancellationToken).ConfigureAwait(false);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return Deserialize(line, typeInfo);
            }
        }
    }

    /// <summary>The synchronous twin of <see cref="StreamJsonLinesAsync{T}"/>.</summary>
    public IEnumerable<T> StreamJsonLines<T>(ApiRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        using var reader = Completed(OpenReaderAsync(request, "application/x-ndjson", async: false, cancellationToken));
        while (reader.ReadLine() is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return Deserialize(line, typeInfo);
            }
        }
    }

    private T Deserialize<T>(string json, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo)!;
        }
        catch (JsonException e)
        {
            throw new ProviderException(ProviderName, $"A streamed item does not match {typeof(T).Name}: {e.Message}",
                responseBody: json.Length > HttpErrorMapper.MaxBodyLength ? json[..HttpErrorMapper.MaxBodyLength] : json, innerException: e);
        }
    }

    private async ValueTask<StreamedLineReader> OpenReaderAsync(ApiRequest request, string accept, bool async, CancellationToken cancellationToken)
    {
        request.Accept ??= accept;
        var stream = await OpenStreamAsync(request, async, cancellationToken).ConfigureAwait(false);
        return new StreamedLineReader(stream, ProviderName);
    }
}
