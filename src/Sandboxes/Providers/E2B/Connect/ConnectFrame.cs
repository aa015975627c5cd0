namespace Sandboxes.Providers.E2B.Connect;

/// <summary>
/// One enveloped message of a Connect stream: a flags byte, then the payload. The payload is borrowed from the reader's
/// buffer and stays valid only until the next read.
/// </summary>
/// <param name="Flags">The envelope flags (<see cref="ConnectFrame.EndStreamFlag"/> marks the trailing JSON message).</param>
/// <param name="Payload">The message bytes.</param>
internal readonly record struct ConnectFrame(byte Flags, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The payload is compressed with the negotiated encoding (never asked for here).</summary>
    public const byte CompressedFlag = 0x01;

    /// <summary>The end-of-stream message: JSON holding the error, if any, and the trailers.</summary>
    public const byte EndStreamFlag = 0x02;

    /// <summary>The size of an envelope's prefix: one flags byte and a four-byte big-endian length.</summary>
    public const int PrefixLength = 5;

    /// <summary>True for the end-of-stream message.</summary>
    public bool IsEndStream => (Flags & EndStreamFlag) != 0;
}
