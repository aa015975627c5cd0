using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Sandboxes.Providers.Docker;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Docker's multiplexed exec output (8-byte frame headers: stream, three zeros, a 32-bit size) given arbitrary and
/// damaged bytes: frames, then the end or a <see cref="ProviderException"/>, within a bound; a header claiming a large
/// frame costs no memory for the bytes that never came.
/// </summary>
[TestFixture]
public sealed class MultiplexedStreamFuzzTests
{
    [Test]
    public void Arbitrary_and_damaged_output_gives_frames_or_a_typed_error()
    {
        Check.One(FuzzProfile.Config(ci: 400, @long: 20_000), Prop.ForAll(FuzzBytes.From(ValidOutput()).ToArbitrary(), bytes =>
        {
            var outcome = Bounded.Run(TimeSpan.FromSeconds(10), async ct =>
            {
                var reader = new MultiplexedStreamReader(new ChunkedStream(bytes, 3));
                var total = 0;
                while ((await reader.ReadFrameAsync(ct)) is { Read: true } frame)
                {
                    PropertyViolation.Unless(frame.Kind is ExecStreamKind.Stdin or ExecStreamKind.Stdout or ExecStreamKind.Stderr, $"a frame of kind {frame.Kind}");
                    total += frame.Payload.Length;
                }

                return total;
            }, "multiplexed output");
            PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{outcome}\n{outcome.Error}");
            PropertyViolation.Unless(outcome.Value <= bytes.Length, $"{outcome.Value} payload bytes out of {bytes.Length} bytes");
        }));
    }

    [Test]
    public void A_frame_header_is_paid_for_only_by_the_bytes_that_come()
    {
        Check.One(FuzzProfile.Config(ci: 100, @long: 2000), Prop.ForAll(Gen.Zip(Gen.Choose(0x10000, int.MaxValue), FuzzBytes.Any).ToArbitrary(), c =>
        {
            var frame = new byte[8 + c.Item2.Length];
            frame[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)c.Item1);
            c.Item2.CopyTo(frame, 8);
            Exception? error = null;
            var allocated = Allocations.Of(() =>
            {
                try
                {
                    new MultiplexedStreamReader(new ChunkedStream(frame)).ReadFrameAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    error = e;
                }
            });

            PropertyViolation.Unless(error is ProviderException, $"a frame claiming {c.Item1} bytes with {c.Item2.Length} sent: {error}");
            PropertyViolation.Unless(allocated < 256 * 1024 + 4L * c.Item2.Length, $"a frame claiming {c.Item1} bytes allocated {allocated} bytes");
        }));
    }

    private static Gen<byte[]> ValidOutput() =>
        Gen.ListOf(Gen.Zip(Gen.Elements((byte)1, (byte)2), FuzzBytes.Any)).Select(frames => frames.Take(6).SelectMany(f =>
        {
            var header = new byte[8];
            header[0] = f.Item1;
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)f.Item2.Length);
            return header.Concat(f.Item2);
        }).ToArray());
}
