using System.Globalization;
using System.Text;

namespace Sandboxes.Http;

/// <summary>Turns the lines of a <c>text/event-stream</c> into events (the WHATWG rules: fields, comments, blank-line dispatch).</summary>
internal sealed class SseParser
{
    private readonly StringBuilder _data = new();
    private string? _event;
    private string? _id;
    private TimeSpan? _retry;
    private bool _hasData;

    /// <summary>Feeds one line; returns an event when the line ends one.</summary>
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
