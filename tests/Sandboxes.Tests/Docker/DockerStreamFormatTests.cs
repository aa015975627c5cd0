using System.Text;
using NUnit.Framework;
using Sandboxes.Providers.Docker;
using Sandboxes.Remote;

namespace Sandboxes.Tests.Docker;

/// <summary>The byte-level pieces of the docker adapter: frame splitting, trailing markers, UTF-8 chunks, status lines.</summary>
public sealed class DockerStreamFormatTests
{
    [Test]
    public async Task Frames_are_split_by_their_headers_even_when_bytes_arrive_one_at_a_time()
    {
        var bytes = FakeEngine.Frame(1, "out").Concat(FakeEngine.Frame(2, "err")).Concat(FakeEngine.Frame(1, string.Empty))
            .Concat(FakeEngine.Frame(1, new string('x', 70_000))).ToArray();
        var reader = new MultiplexedStreamReader(new TrickleStream(bytes));

        var frames = new List<(ExecStreamKind Kind, string Text)>();
        while (await reader.ReadFrameAsync(CancellationToken.None) is { Read: true } frame)
        {
            frames.Add((frame.Kind, Encoding.UTF8.GetString(frame.Payload.Span)));
        }

        Assert.That(frames.Select(f => f.Kind), Is.EqualTo(new[] { ExecStreamKind.Stdout, ExecStreamKind.Stderr, ExecStreamKind.Stdout, ExecStreamKind.Stdout }));
        Assert.That(frames[0].Text, Is.EqualTo("out"));
        Assert.That(frames[1].Text, Is.EqualTo("err"));
        Assert.That(frames[2].Text, Is.Empty);
        Assert.That(frames[3].Text, Has.Length.EqualTo(70_000));
    }

    [Test]
    public void A_stream_cut_inside_a_frame_is_a_provider_error()
    {
        var bytes = FakeEngine.Frame(1, "complete")[..10];
        var reader = new MultiplexedStreamReader(new MemoryStream(bytes));

        Assert.That(async () => await reader.ReadFrameAsync(CancellationToken.None), Throws.InstanceOf<ProviderException>().With.Message.Contains("middle of a frame"));
    }

    [Test]
    public void Raw_output_where_frames_are_expected_is_a_provider_error()
    {
        var reader = new MultiplexedStreamReader(new MemoryStream("hello world, no frames"u8.ToArray()));

        Assert.That(async () => await reader.ReadFrameAsync(CancellationToken.None), Throws.InstanceOf<ProviderException>().With.Message.Contains("not a multiplexed stream"));
    }

    [Test]
    public void A_trailing_marker_split_across_chunks_is_removed_and_reported()
    {
        var filter = new TrailingMarkerFilter("\u001eMARK\u001e"u8.ToArray());

        var output = new List<byte>();
        output.AddRange(filter.Push("error text\u001eMA"u8));
        Assert.That(Encoding.UTF8.GetString(output.ToArray()), Is.EqualTo("error text"), "a possible marker start is held back");
        output.AddRange(filter.Push("RK\u001e"u8));
        output.AddRange(filter.Flush());

        Assert.That(Encoding.UTF8.GetString(output.ToArray()), Is.EqualTo("error text"));
        Assert.That(filter.Found, Is.True);
    }

    [Test]
    public void Bytes_that_only_look_like_a_marker_start_are_output_after_all()
    {
        var filter = new TrailingMarkerFilter("\u001eMARK\u001e"u8.ToArray());

        var output = new List<byte>();
        output.AddRange(filter.Push("a\u001eMA"u8));
        output.AddRange(filter.Push("X b\u001e"u8));
        output.AddRange(filter.Flush());

        Assert.That(Encoding.UTF8.GetString(output.ToArray()), Is.EqualTo("a\u001eMAX b\u001e"));
        Assert.That(filter.Found, Is.False);
    }

    [Test]
    public void A_character_split_between_chunks_is_decoded_whole()
    {
        var bytes = Encoding.UTF8.GetBytes("é€😀");
        var decoder = new Utf8ChunkDecoder();

        var text = string.Concat(bytes.Select(b => decoder.Decode([b]))) + decoder.Flush();

        Assert.That(text, Is.EqualTo("é€😀"));
    }

    [TestCase("0 0 0 -", 0, false, false, null)]
    [TestCase("137 1 0 -", 137, true, false, null)]
    [TestCase("-1 0 0 -", -1, false, false, null)]
    [TestCase("137 0 1 2.5\n", 137, false, true, 2.5)]
    public void Background_status_lines_are_read(string line, int exit, bool oom, bool timedOut, double? timeout)
    {
        Assert.That(BackgroundStatus.Parse("docker", line), Is.EqualTo(new BackgroundStatus(exit, oom, timedOut, timeout)));
    }

    [Test]
    public void A_malformed_status_line_is_a_provider_error()
    {
        Assert.That(() => BackgroundStatus.Parse("docker", "garbage"), Throws.InstanceOf<ProviderException>());
    }
}
