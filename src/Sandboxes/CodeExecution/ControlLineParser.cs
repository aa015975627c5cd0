using System.Text;

namespace Sandboxes.CodeExecution;

/// <summary>
/// Splits one output stream of a driver into the code's own text and the driver's control lines
/// (<c>"\x1fsbx:NONCE JSON\n"</c>), whatever the chunk boundaries. The nonce is random per interpreter, so code cannot
/// forge a control line by accident.
/// </summary>
internal sealed class ControlLineParser
{
    private readonly string _marker;
    private readonly StringBuilder _pending = new();

    public ControlLineParser(string nonce) => _marker = "\u001fsbx:" + nonce + " ";

    /// <summary>Feeds a chunk; calls <paramref name="onText"/> and <paramref name="onEvent"/> in stream order.</summary>
    public void Feed(string chunk, Action<string> onText, Action<ControlEvent> onEvent)
    {
        _pending.Append(chunk);
        var text = _pending.ToString();
        var position = 0;
        while (position < text.Length)
        {
            var marker = text.IndexOf(_marker, position, StringComparison.Ordinal);
            if (marker < 0)
            {
                // Hold back a tail that may be the start of a marker split across chunks.
                var hold = PartialMarkerAt(text, position);
                Emit(text, position, hold - position, onText);
                position = hold;
                break;
            }

            Emit(text, position, marker - position, onText);
            var end = text.IndexOf('\n', marker + _marker.Length);
            if (end < 0)
            {
                position = marker; // the line is not complete yet
                break;
            }

            var json = text.Substring(marker + _marker.Length, end - marker - _marker.Length);
            if (ControlEvent.TryParse(json) is { } e)
            {
                onEvent(e);
            }

            position = end + 1;
        }

        _pending.Clear();
        _pending.Append(text, position, text.Length - position);
    }

    /// <summary>Delivers whatever is held back, as text (the stream ended).</summary>
    public void Flush(Action<string> onText)
    {
        if (_pending.Length > 0)
        {
            onText(_pending.ToString());
            _pending.Clear();
        }
    }

    private int PartialMarkerAt(string text, int from)
    {
        var last = text.LastIndexOf('\u001f');
        if (last < from)
        {
            return text.Length;
        }

        var tail = text.AsSpan(last);
        return tail.Length < _marker.Length && _marker.AsSpan().StartsWith(tail) ? last : text.Length;
    }

    private static void Emit(string text, int start, int length, Action<string> onText)
    {
        if (length > 0)
        {
            onText(text.Substring(start, length));
        }
    }
}
