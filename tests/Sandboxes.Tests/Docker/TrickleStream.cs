namespace Sandboxes.Tests.Docker;

/// <summary>A read-only stream over bytes that hands out at most one byte per read, as a slow socket may.</summary>
public sealed class TrickleStream(byte[] data) : MemoryStream(data)
{
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
}
