using System.Text;
using Sandboxes.CodeExecution;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// Turns the raw bytes of a followed session log into command events: labelled lines are split into stdout and stderr
/// (<see cref="SessionLogDemuxer"/>), decoded as UTF-8 without breaking a character across chunks, and the wrapper's
/// control lines are taken out of stdout (<see cref="CommandOutcome"/>).
/// </summary>
internal sealed class SessionLogReader
{
    private const int TailLength = 64 * 1024;
    private readonly SessionLogDemuxer _demuxer = new();
    private readonly Decoder[] _decoders = [Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder()];
    private readonly ControlLineParser _control;
    private readonly StringBuilder _stdoutTail = new();
    private readonly StringBuilder _stderrTail = new();

    public SessionLogReader(string nonce) => _control = new ControlLineParser(nonce);

    /// <summary>What the wrapper reported so far.</summary>
    public CommandOutcome Outcome { get; } = new();

    /// <summary>Feeds raw log bytes, adding the events they complete.</summary>
    public void Feed(ReadOnlySpan<byte> raw, List<CommandEvent> events)
    {
        _demuxer.Feed(raw, (stream, data) => Decode(stream, data, flush: false, events));
    }

    /// <summary>The events still held back, and the exit once the wrapper reported it.</summary>
    /// <exception cref="SandboxTimeoutException">The wrapper's watchdog killed the command at its deadline.</exception>
    public IReadOnlyList<CommandEvent> Finish()
    {
        var events = new List<CommandEvent>();
        _demuxer.Flush((stream, data) => Decode(stream, data, flush: false, events));
        Decode(1, [], flush: true, events);
        Decode(2, [], flush: true, events);
        _control.Flush(text => Add(events, CommandEvent.Stdout(text)));
        if (Outcome.TimedOut)
        {
            throw Outcome.TimeoutError(_stdoutTail.ToString(), _stderrTail.ToString());
        }

        if (Outcome.ExitCode is { } code)
        {
            events.Add(CommandEvent.Exited(code, ExitStatus.KilledBy(code)));
        }

        return events;
    }

    private void Decode(int stream, ReadOnlySpan<byte> data, bool flush, List<CommandEvent> events)
    {
        var decoder = _decoders[stream - 1];
        var chars = new char[decoder.GetCharCount(data, flush)];
        var count = decoder.GetChars(data, chars, flush);
        if (count == 0)
        {
            return;
        }

        var text = new string(chars, 0, count);
        if (stream == 1)
        {
            // Control lines travel on stdout; everything else is the command's own output.
            _control.Feed(text, t => Add(events, CommandEvent.Stdout(t)), Outcome.Apply);
        }
        else
        {
            Add(events, CommandEvent.Stderr(text));
        }
    }

    private void Add(List<CommandEvent> events, CommandEvent e)
    {
        var tail = e.Kind == CommandEventKind.Stdout ? _stdoutTail : _stderrTail;
        tail.Append(e.Text);
        if (tail.Length > TailLength)
        {
            tail.Remove(0, tail.Length - TailLength);
        }

        events.Add(e);
    }
}
