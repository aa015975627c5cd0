namespace Sandboxes.Providers.Daytona;

/// <summary>
/// Splits a Daytona session log into stdout and stderr. The daemon writes each output line prefixed with three bytes,
/// <c>01 01 01</c> for stdout and <c>02 02 02</c> for stderr; a prefix may be cut between two WebSocket frames, so a tail
/// that could start one is held back until the next chunk.
/// </summary>
internal sealed class SessionLogDemuxer
{
    private const int PrefixLength = 3;
    private readonly List<byte> _held = [];
    private int _stream;

    /// <summary>Feeds raw log bytes; <paramref name="onData"/> gets (1 for stdout or 2 for stderr, bytes) in order.</summary>
    public void Feed(ReadOnlySpan<byte> chunk, Action<int, ReadOnlySpan<byte>> onData)
    {
        byte[] data;
        if (_held.Count > 0)
        {
            data = [.. _held, .. chunk];
            _held.Clear();
        }
        else
        {
            data = chunk.ToArray();
        }

        var start = 0;
        var i = 0;
        while (i < data.Length)
        {
            var b = data[i];
            if (b is 1 or 2)
            {
                var available = Math.Min(PrefixLength, data.Length - i);
                var matches = true;
                for (var k = 1; k < available; k++)
                {
                    matches &= data[i + k] == b;
                }

                if (matches && available < PrefixLength)
                {
                    // Maybe a prefix cut by the frame: deliver what comes before it, keep it for the next chunk.
                    Deliver(data.AsSpan(start, i - start), onData);
                    _held.AddRange(data.AsSpan(i).ToArray());
                    return;
                }

                if (matches)
                {
                    Deliver(data.AsSpan(start, i - start), onData);
                    _stream = b;
                    i += PrefixLength;
                    start = i;
                    continue;
                }
            }

            i++;
        }

        Deliver(data.AsSpan(start), onData);
    }

    /// <summary>Delivers a held tail once the log has ended (it was output, not a prefix).</summary>
    public void Flush(Action<int, ReadOnlySpan<byte>> onData)
    {
        if (_held.Count > 0)
        {
            Deliver(_held.ToArray(), onData);
            _held.Clear();
        }
    }

    private void Deliver(ReadOnlySpan<byte> data, Action<int, ReadOnlySpan<byte>> onData)
    {
        // Bytes before any prefix have no stream; the daemon never writes such bytes, so they are dropped as the SDKs do.
        if (data.Length > 0 && _stream != 0)
        {
            onData(_stream, data);
        }
    }
}
