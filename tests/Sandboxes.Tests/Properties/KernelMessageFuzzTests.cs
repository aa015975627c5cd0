using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Sandboxes.Providers.Jupyter;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Jupyter kernel messages given arbitrary and damaged bytes: a message parses or is ignored, never an exception; and a
/// kernel connection whose server sends anything at all (garbage frames, cut frames, messages of the wrong shape)
/// ends a waiting request with a typed error within a bound, and closes without an exception.
/// </summary>
[TestFixture]
public sealed class KernelMessageFuzzTests
{
    [Test]
    public void Kernel_messages_of_any_bytes_parse_or_are_ignored()
    {
        Check.One(FuzzProfile.Config(ci: 500, @long: 50_000), Prop.ForAll(FuzzBytes.From(ValidMessage()).ToArbitrary(), bytes =>
        {
            if (KernelMessage.Parse(bytes) is { } message)
            {
                _ = message.String("execution_state");
                _ = message.String("text");
            }
        }));
    }

    [Test]
    public void A_server_sending_anything_ends_a_waiting_request_with_a_typed_error()
    {
        var frames = Gen.ListOf(FuzzBytes.From(ValidMessage())).Select(messages => messages.Take(6).SelectMany(ServerFrame).ToArray());
        var server = FuzzBytes.From(frames);

        Check.One(FuzzProfile.Config(ci: 150, @long: 5000), Prop.ForAll(server.ToArbitrary(), bytes =>
        {
            var outcome = Bounded.Run(TimeSpan.FromSeconds(10), async ct =>
            {
                var socket = WebSocket.CreateFromStream(new ServerStream(bytes), new WebSocketCreationOptions { IsServer = false });
                var connection = KernelConnection.Over("kernel", socket);
                try
                {
                    await connection.KernelInfoAsync(ct);
                    return "answered";
                }
                finally
                {
                    await connection.DisposeAsync();
                }
            }, "a request to a hostile kernel server");
            PropertyViolation.Unless(outcome.Error is SandboxException, $"{outcome}\n{outcome.Error}");
        }));
    }

    private static Gen<byte[]> ValidMessage() =>
        Gen.Zip(Gen.Elements("iopub", "shell", "control", "stdin"), Gen.Elements("status", "stream", "execute_reply", "kernel_info_reply", "error"))
            .Zip(HostileInput.AnyString, (m, text) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                channel = m.Item1,
                header = new { msg_type = m.Item2, msg_id = text },
                parent_header = new { msg_id = text },
                content = new { execution_state = "dead", text, name = "stdout" },
            })))
            .Or(Gen.Elements("{\"header\":1}", "{\"header\":{\"msg_type\":5},\"channel\":[]}", "{\"header\":{},\"parent_header\":{\"msg_id\":7}}", "[]", "null")
                .Select(Encoding.UTF8.GetBytes));

    // An unmasked text frame as a server sends it, length encoded in the shortest form.
    private static IEnumerable<byte> ServerFrame(byte[] payload)
    {
        var header = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            header.Add((byte)payload.Length);
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header.AddRange([126, (byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        else
        {
            header.Add(127);
            header.AddRange(BitConverter.GetBytes((ulong)payload.Length).Reverse());
        }

        return header.Concat(payload);
    }

    /// <summary>The server's side of a WebSocket: reads give the server's bytes, then the end; writes are dropped.</summary>
    private sealed class ServerStream(byte[] bytes) : Stream
    {
        private readonly ChunkedStream _input = new(bytes, 50);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _input.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
