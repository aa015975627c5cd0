namespace Sandboxes;

/// <summary>
/// A read-only view of a tar stream that follows its blocks and refuses, before the tar reader sees it, a metadata
/// entry (PAX extended or global header, GNU long name or long link) whose size field claims more than
/// <see cref="MaxMetadataLength"/>: the runtime's tar reader allocates a metadata block whole from the claimed size, so
/// 512 bytes of header could cost it gigabytes. File data passes through untouched, and is never held.
/// </summary>
internal sealed class TarMetadataGuard(Stream inner) : InspectedReadStream(inner)
{
    /// <summary>The largest metadata entry let through: far above any path or attribute set a real archive holds.</summary>
    public const int MaxMetadataLength = 1024 * 1024;

    private const int BlockSize = 512;
    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFilled;
    private long _dataLeft;

    // Walks the bytes just read: data (and its padding to a whole block) is skipped, headers are gathered and checked.
    protected override void Inspect(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_dataLeft > 0)
            {
                var skip = (int)Math.Min(_dataLeft, bytes.Length);
                _dataLeft -= skip;
                bytes = bytes[skip..];
                continue;
            }

            var take = Math.Min(BlockSize - _headerFilled, bytes.Length);
            bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            bytes = bytes[take..];
            if (_headerFilled == BlockSize)
            {
                _headerFilled = 0;
                Check();
            }
        }
    }

    private void Check()
    {
        var size = Size(_header.AsSpan(124, 12));
        var type = (char)_header[156];
        if (type is 'x' or 'g' or 'L' or 'K' && size > MaxMetadataLength)
        {
            throw new InvalidDataException($"A tar metadata entry ('{type}') claims {size} bytes, over the {MaxMetadataLength} allowed.");
        }

        // A size that is no number leaves the reader to refuse the header; this view then keeps reading blocks as headers.
        _dataLeft = size is > 0 and < long.MaxValue - BlockSize ? (size + BlockSize - 1) / BlockSize * BlockSize : 0;
    }

    // The size field: octal digits (with spaces or NULs around them), or base-256 when its first byte has the high bit.
    private static long Size(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                if (value > (long.MaxValue >> 8))
                {
                    return long.MaxValue;
                }

                value = (value << 8) | b;
            }

            return value;
        }

        long octal = 0;
        foreach (var b in field.Trim((byte)' ').TrimEnd((byte)0).TrimEnd((byte)' '))
        {
            if (b is < (byte)'0' or > (byte)'7')
            {
                return -1;
            }

            octal = octal * 8 + (b - '0');
        }

        return octal;
    }
}
