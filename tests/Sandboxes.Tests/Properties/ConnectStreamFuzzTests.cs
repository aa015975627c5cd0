using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using NUnit.Framework;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Process;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// E2B's Connect envelopes (flags, a 32-bit length, a message; an end-of-stream JSON message last) given arbitrary and
/// damaged bytes: the stream yields messages and then ends or raises a typed error, within a bound, and a length
/// prefix claiming more than was sent costs no memory for the bytes that never came.
/// </summary>
[TestFixture]
public sealed class ConnectStreamFuzzTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public void Arbitrary_and_damaged_streams_give_messages_or_a_typed_error()
    {
        Check.One(FuzzProfile.Config(ci: 400, @long: 20_000), Prop.ForAll(FuzzBytes.From(ValidStream()).ToArbitrary(), bytes =>
        {
            var outcome = Bounded.Run(Bound, async ct =>
            {
                var client = new ConnectClient(new HttpClient(new BytesHandler(() => new ChunkedStream(bytes, 7), "application/connect+proto")),
                    new Uri("http://envd.test/"), [], "e2b");
                var count = 0;
                await foreach (var _ in client.StreamAsync("process.Process/Connect", new ConnectRequest(), ConnectResponse.Parser, null, ct))
                {
                    count++;
                }

                return count;
            }, "a Connect stream");
            PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{outcome}\n{outcome.Error}");
        }));
    }

    [Test]
    public void A_length_prefix_is_paid_for_only_by_the_bytes_that_come()
    {
        Check.One(FuzzProfile.Config(ci: 100, @long: 2000), Prop.ForAll(Gen.Zip(Gen.Choose(0, int.MaxValue), FuzzBytes.Any).ToArbitrary(), c =>
        {
            var (claimed, payload) = ((uint)c.Item1 | 0x1000u, c.Item2);
            var frame = new byte[5 + payload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), claimed);
            payload.CopyTo(frame, 5);
            var stream = new ChunkedStream(frame, 4096);
            Exception? error = null;
            var allocated = Allocations.Of(() =>
            {
                using var reader = new ConnectFrameReader(stream);
                try
                {
                    reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    error = e;
                }
            });

            PropertyViolation.Unless(error is EndOfStreamException or InvalidDataException, $"a frame claiming {claimed} bytes with {payload.Length} sent: {error}");
            PropertyViolation.Unless(allocated < 1024 * 1024 + 4L * payload.Length,
                $"a frame claiming {claimed} bytes with {payload.Length} sent allocated {allocated} bytes");
        }));
    }

    // Valid streams: a few process events enveloped, then the end-of-stream message (trailers or an error).
    private static Gen<byte[]> ValidStream() =>
        Gen.Zip(Gen.ListOf(Gen.Zip(Gen.Choose(0, 100_000), HostileInput.AnyString)), Gen.Elements("{}", "{\"error\":{\"code\":\"not_found\",\"message\":\"x\"}}", "", "[]", "{\"error\":5}"))
            .Select(p =>
            {
                var body = new List<byte>();
                foreach (var (pid, text) in p.Item1.Take(5))
                {
                    var message = new ConnectResponse { Event = new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = (uint)pid } } };
                    body.AddRange(Envelope(0, message.ToByteArray()));
                    var data = new ConnectResponse { Event = new ProcessEvent { Data = new ProcessEvent.Types.DataEvent { Stdout = ByteString.CopyFromUtf8(text) } } };
                    body.AddRange(Envelope(0, data.ToByteArray()));
                }

                body.AddRange(Envelope(ConnectFrame.EndStreamFlag, Encoding.UTF8.GetBytes(p.Item2)));
                return body.ToArray();
            });

    private static byte[] Envelope(byte flags, byte[] message)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }
}
