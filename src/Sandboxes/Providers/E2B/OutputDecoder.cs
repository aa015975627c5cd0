using System.Buffers;
using System.Text;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// Decodes one output stream (stdout or stderr) of a process chunk by chunk as UTF-8, never splitting a character
/// that falls across two chunks; optionally remembers the last 64 KiB, for the message of a timeout.
/// </summary>
internal sealed class OutputDecoder
{
    private const int TailLimit = 64 * 1024;
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder? _tail;

    /// <summary>Creates a decoder; <paramref name="keepTail"/> keeps the end of the output for <see cref="Tail"/>.</summary>
    public OutputDecoder(bool keepTail) => _tail = keepTail ? new StringBuilder() : null;

    /// <summary>The last part of what was decoded (empty unless the tail is kept).</summary>
    public string Tail => _tail?.ToString() ?? string.Empty;

    /// <summary>Decodes a chunk; a character cut at its end is completed by the next one.</summary>
    public string Decode(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    /// <summary>Decodes whatever is left at the end of the stream.</summary>
    public string Flush() => Decode(ReadOnlySpan<byte>.Empty, flush: true);

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var count = _decoder.GetCharCount(bytes, flush);
        if (count == 0)
        {
            return string.Empty;
        }

        var chars = ArrayPool<char>.Shared.Rent(count);
        try
        {
            var written = _decoder.GetChars(bytes, chars, flush);
            var text = new string(chars, 0, written);
            if (_tail is not null)
            {
                _tail.Append(text);
                if (_tail.Length > TailLimit)
                {
                    _tail.Remove(0, _tail.Length - TailLimit / 2);
                }
            }

            return text;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
