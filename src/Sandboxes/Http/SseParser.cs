using System.Globalization;
using System.Text;

namespace Sandboxes.Http;

/// <summary>
/// Turns the lines of a <c>text/event-stream</c> into events (the WHATWG rules: fields, comments, blank-line dispatch).
/// An event's data is bounded: a stream of data lines that never dispatches is refused rather than held whole.
/// </summary>
internal sealed class SseParser
{
    /// <summary>The most data one event may carry.</summary>
    public const int MaxEventLength = 16 * 1024 * 1024;

    private readonly StringBuilder _data = new();
    private readonly string _provider;
    private string? _event;
    private string? _id;
    private TimeSpan? _retry;
    private bool _hasData;

    /// <param name="provider">The provider name errors carry.</param>
    public SseParser(string provider) => _provider = provider;

    /// <summary>Feeds one line; returns an event when the line ends one.</summary>
    /// <exception cref="ProviderException">The event's data grew past <see cref="MaxEventLength"/>.</exception>
    public ServerSentEvent? Feed(string line)
    {
        if (line.Length == 0)
        {
            return Dispatch();
        }

        if (line[0] == ':')
        {
            return null;
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? string.Empty : line[(colon + 1)..];
        if (value.StartsWith(' '))
        {
            value = value[1..];
        }

        switch (field)
        {
            case "data":
                if (_data.Length + value.Length > MaxEventLength)
                {
                    throw new ProviderException(_provider, $"A server-sent event carries over {MaxEventLength} characters of data; the stream is refused.");
                }

                if (_hasData)
                {
                    _data.Append('\n');
                }

                _data.Append(value);
                _hasData = true;
                break;
            case "event":
                _event = value;
                break;
            case "id":
                _id = value;
                break;
            case "retry" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms):
                _retry = TimeSpan.FromMilliseconds(ms);
                break;
        }

        return null;
    }

    /// <summary>The event still open when the stream ended, if it has data.</summary>
    public ServerSentEvent? Complete() => Dispatch();

    private ServerSentEvent? Dispatch()
    {
        if (!_hasData)
        {
            _event = null;
            return null;
        }

        var result = new ServerSentEvent(_event, _data.ToString(), _id, _retry);
        _data.Clear();
        _hasData = false;
        _event = null;
        return result;
    }
}
