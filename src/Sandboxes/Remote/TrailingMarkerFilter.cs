namespace Sandboxes.Remote;

/// <summary>
/// Removes a marker that a script writes as the very last bytes of a stream (the out-of-memory report on stderr), holding
/// back only bytes that could be the start of it, so ordinary output passes on at once.
/// </summary>
internal sealed class TrailingMarkerFilter
{
    private readonly byte[] _marker;
    private byte[] _pending = [];

    public TrailingMarkerFilter(byte[] marker) => _marker = marker;

    /// <summary>True once the marker was seen at the end of the stream so far.</summary>
    public bool Found { get; private set; }

    /// <summary>Takes the next chunk and returns the bytes that are certainly output.</summary>
    public byte[] Push(ReadOnlySpan<byte> chunk)
    {
        var data = new byte[_pending.Length + chunk.Length];
        _pending.CopyTo(data, 0);
        chunk.CopyTo(data.AsSpan(_pending.Length));
        if (data.AsSpan().EndsWith(_marker))
        {
            Found = true;
            _pending = [];
            return data[..^_marker.Length];
        }

        var held = HeldBack(data);
        _pending = data[^held..];
        return data[..^held];
    }

    /// <summary>At the end of the stream: the held-back bytes, which turned out not to be the marker.</summary>
    public byte[] Flush()
    {
        var rest = _pending;
        _pending = [];
        return rest;
    }

    // The length of the longest end of data that is a proper beginning of the marker.
    private int HeldBack(ReadOnlySpan<byte> data)
    {
        for (var length = Math.Min(_marker.Length - 1, data.Length); length > 0; length--)
        {
            if (data[^length..].SequenceEqual(_marker.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}
