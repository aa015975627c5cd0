using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Sandboxes.Providers.Daytona;
using Sandboxes.Providers.Docker;
using Sandboxes.Providers.Jupyter;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// The framing around terminal and command output, given arbitrary and cut input: Jupyter's terminal messages and the
/// session's marks in the program's output, Daytona's PTY control messages and session-log stream prefixes, and the
/// chunked error bodies of Docker's exec upgrade. Each parses to a result (never an exception), holds back a bounded
/// amount, and gives the same output however the bytes were split.
/// </summary>
[TestFixture]
public sealed class TerminalFramingFuzzTests
{
    [Test]
    public void Jupyter_terminal_messages_of_any_bytes_parse_or_are_ignored()
    {
        var valid = Gen.Zip(Gen.Elements("stdout", "disconnect", "setup", "stdin"), HostileInput.AnyString)
            .Select(m => Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new object[] { m.Item1, m.Item2 })));
        var odd = Gen.Elements("[1,2]", "[]", "{}", "[\"stdout\", 5]", "[null]", "\"stdout\"", "[[\"stdout\"]]", "[\"stdout\"]").Select(Encoding.UTF8.GetBytes);

        Check.One(FuzzProfile.Config(ci: 500, @long: 50_000), Prop.ForAll(FuzzBytes.From(Gen.OneOf(valid, odd)).ToArbitrary(), bytes =>
        {
            var message = TerminalMessage.Parse(bytes);
            PropertyViolation.Unless(message is null || message.Kind is not null, "a message without a kind");
        }));
    }

    [Test]
    public void Terminal_marks_are_taken_out_the_same_however_output_is_split_and_hold_back_little()
    {
        var parts = Gen.Frequency(
            (4, HostileInput.AnyString),
            (2, Gen.Elements(TerminalOutputFilter.Ready, TerminalOutputFilter.Marker + "exit=3\u0007", TerminalOutputFilter.Marker, "\u001b", "\u0007",
                TerminalOutputFilter.Marker + new string('x', 10_000))));
        var cases = Gen.ListOf(parts).Select(p => string.Concat(p)).SelectMany(text => FuzzBytes.Cuts(text.Length).Select(cuts => (Text: text, Cuts: cuts)));

        Check.One(FuzzProfile.Config(ci: 300, @long: 20_000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (whole, wholeExit) = Filter([c.Text]);
            var pieces = FuzzBytes.Pieces(c.Text.ToCharArray(), c.Cuts).Select(p => new string(p)).ToList();
            var (split, splitExit) = Filter(pieces);
            PropertyViolation.Unless(whole == split, $"split output {FileCall.Printable(split)} differs from whole {FileCall.Printable(whole)}");
            PropertyViolation.Unless(wholeExit == splitExit, $"exit {splitExit} split, {wholeExit} whole");
        }));
    }

    [Test]
    public void Daytona_control_messages_and_close_reasons_of_any_bytes_parse_or_are_output()
    {
        var valid = Gen.Elements(
            "{\"type\":\"control\",\"status\":\"connected\"}", "{\"type\":\"control\",\"status\":\"exited\",\"exitCode\":3}",
            "{\"type\":\"control\",\"status\":\"error\",\"error\":\"no\"}", "{\"type\":5}", "{\"type\":\"control\",\"status\":7,\"exitCode\":\"x\"}",
            "{\"type\":\"control\",\"status\":\"exited\",\"exitCode\":1e400}", "[\"control\"]", "{\"exitCode\":2}", "{\"exitCode\":\"2\"}", "7", "null").Select(Encoding.UTF8.GetBytes);

        Check.One(FuzzProfile.Config(ci: 500, @long: 50_000), Prop.ForAll(FuzzBytes.From(valid).ToArbitrary(), bytes =>
        {
            _ = PtyControlMessage.Parse(bytes);
            _ = PtyControlMessage.ExitCodeOfCloseReason(Encoding.UTF8.GetString(bytes));
        }));
    }

    [Test]
    public void Daytona_session_logs_split_the_same_however_they_arrive()
    {
        var log = Gen.ListOf(Gen.Zip(Gen.Elements((byte)1, (byte)2), FuzzBytes.Any)).Select(lines =>
            lines.Take(8).SelectMany(l => new byte[] { l.Item1, l.Item1, l.Item1 }.Concat(l.Item2)).ToArray());
        var cases = FuzzBytes.From(log).SelectMany(bytes => FuzzBytes.Cuts(bytes.Length).Select(cuts => (Bytes: bytes, Cuts: cuts)));

        Check.One(FuzzProfile.Config(ci: 300, @long: 20_000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var whole = Demux([c.Bytes]);
            var split = Demux(FuzzBytes.Pieces(c.Bytes, c.Cuts).ToList());
            PropertyViolation.Unless(whole.SequenceEqual(split), "the split log gave other output than the whole one");
            PropertyViolation.Unless(whole.Count <= c.Bytes.Length, "more output than input");
        }));
    }

    [Test]
    public void Chunked_error_bodies_of_any_text_decode_without_an_exception()
    {
        var valid = Gen.Zip(HostileInput.AnyString, Gen.Elements("7fffffff", "FFFFFFFF", "80000000", "-1", "zz", "0", "10"))
            .Select(p => $"{Encoding.UTF8.GetByteCount(p.Item1):x}\r\n{p.Item1}\r\n{p.Item2}\r\n{p.Item1}\r\n0\r\n\r\n");

        Check.One(FuzzProfile.Config(ci: 500, @long: 50_000), Prop.ForAll(Gen.OneOf(valid, HostileInput.ByteString).ToArbitrary(), raw =>
        {
            var body = DockerHijack.Dechunk(raw);
            PropertyViolation.Unless(body.Length <= raw.Length, "a body longer than the answer");
        }));
    }

    private static (string Output, int? Exit) Filter(IEnumerable<string> pieces)
    {
        var filter = new TerminalOutputFilter();
        var output = new StringBuilder();
        foreach (var piece in pieces)
        {
            filter.Feed(piece, t => output.Append(t));
            PropertyViolation.Unless(filter.Held <= TerminalOutputFilter.MaxHeldBeforeReady + TerminalOutputFilter.Marker.Length + TerminalOutputFilter.MaxMarkLength,
                $"the filter holds back {filter.Held} characters");
        }

        filter.Flush(t => output.Append(t));
        return (output.ToString(), filter.ExitCode);
    }

    private static List<(int Stream, byte Value)> Demux(IEnumerable<byte[]> pieces)
    {
        var demuxer = new SessionLogDemuxer();
        var output = new List<(int, byte)>();
        foreach (var piece in pieces)
        {
            demuxer.Feed(piece, (stream, data) => output.AddRange(data.ToArray().Select(b => (stream, b))));
        }

        demuxer.Flush((stream, data) => output.AddRange(data.ToArray().Select(b => (stream, b))));
        return output;
    }
}
