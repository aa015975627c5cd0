using System.Text;

namespace Sandboxes.Remote;

/// <summary>Decodes a byte stream that arrives in chunks as UTF-8, never breaking a character split between two chunks.</summary>
internal sealed class Utf8ChunkDecoder
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();

    /// <summary>Decodes a chunk; bytes of an unfinished character wait for the next one.</summary>
    public string Decode(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    /// <summary>Decodes whatever is left at the end of the stream.</summary>
    public string Flush() => Decode(ReadOnlySpan<byte>.Empty, flush: true);

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var chars = new char[_decoder.GetCharCount(bytes, flush)];
        var n = _decoder.GetChars(bytes, chars, flush);
        return new string(chars, 0, n);
    }
}
