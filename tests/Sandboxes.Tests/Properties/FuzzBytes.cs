using FsCheck;
using FsCheck.Fluent;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Generators of the bytes a parser may be handed: anything at all, and valid input damaged the ways a connection or
/// a hostile peer damages it (cut anywhere, bytes flipped, bytes spliced in, a length field set to an extreme).
/// </summary>
public static class FuzzBytes
{
    /// <summary>Any bytes.</summary>
    public static Gen<byte[]> Any { get; } = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));

    /// <summary>Valid input from <paramref name="valid"/>, whole or damaged, or any bytes at all.</summary>
    public static Gen<byte[]> From(Gen<byte[]> valid) => Gen.Frequency(
        (1, valid),
        (3, valid.SelectMany(Damaged)),
        (1, Any));

    /// <summary>The same bytes cut at a random point, with a few flipped, with random bytes spliced in, or with an extreme 32-bit field.</summary>
    public static Gen<byte[]> Damaged(byte[] valid) => Gen.OneOf(
        Gen.Choose(0, valid.Length).Select(n => valid[..n]),
        Gen.ListOf(Gen.Zip(Gen.Choose(0, Math.Max(0, valid.Length - 1)), Gen.Choose(0, 255)), 3).Select(flips =>
        {
            var copy = (byte[])valid.Clone();
            foreach (var (at, value) in flips)
            {
                if (at < copy.Length)
                {
                    copy[at] = (byte)value;
                }
            }

            return copy;
        }),
        Gen.Zip(Gen.Choose(0, valid.Length), Any).Select(p => (byte[])[.. valid[..p.Item1], .. p.Item2, .. valid[p.Item1..]]),
        Gen.Zip(Gen.Choose(0, Math.Max(0, valid.Length - 4)), Gen.Elements(0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 0x04000001u, 0x01000001u)).Select(p =>
        {
            var copy = (byte[])valid.Clone();
            if (copy.Length >= p.Item1 + 4)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(p.Item1, 4), p.Item2);
            }

            return copy;
        }));

    /// <summary>Splits <paramref name="bytes"/> into the chunks a network hands over (for chunking-invariance properties).</summary>
    public static Gen<int[]> Cuts(int length) => Gen.ListOf(Gen.Choose(0, length)).Select(c => c.Distinct().Order().ToArray());

    /// <summary>The pieces of <paramref name="bytes"/> between <paramref name="cuts"/>.</summary>
    public static IEnumerable<T[]> Pieces<T>(T[] bytes, int[] cuts)
    {
        var start = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < bytes.Length).Append(bytes.Length))
        {
            if (cut > start)
            {
                yield return bytes[start..cut];
                start = cut;
            }
        }
    }
}
