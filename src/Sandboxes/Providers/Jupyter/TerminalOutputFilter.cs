using System.Globalization;
using System.Text;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// The output side of a terminal session's framing: drops what the terminal printed before the ready mark, takes the
/// session's marks (<c>ESC ] 7779 ; body BEL</c>) out of the output and reads the exit status from one. Output may cut a
/// mark anywhere, so a tail that may start one is held for the next message; what is held is bounded, whatever the
/// program prints: a mark is a few bytes long, so a longer "mark" is passed on as output.
/// </summary>
internal sealed class TerminalOutputFilter
{
    /// <summary>The start of every mark.</summary>
    public const string Marker = "\u001b]7779;";

    /// <summary>The mark the bootstrap line prints once the program is about to start.</summary>
    public const string Ready = Marker + "ready\u0007";

    /// <summary>The most held back while no ready mark was seen (its length and then some).</summary>
    public const int MaxHeldBeforeReady = 4096;

    /// <summary>The longest mark body: "exit=" and a number. A longer one is output, not a mark.</summary>
    public const int MaxMarkLength = 64;

    private readonly StringBuilder _pending = new();

    /// <summary>True once the ready mark was seen (output before it is dropped).</summary>
    public bool Started { get; private set; }

    /// <summary>The exit status the exit mark gave, or null.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>The characters held back for the next call (bounded by <see cref="MaxHeldBeforeReady"/>).</summary>
    public int Held => _pending.Length;

    /// <summary>Feeds output text; <paramref name="deliver"/> gets the program's own output, marks taken out.</summary>
    public void Feed(string text, Action<string> deliver)
    {
        _pending.Append(text);
        var all = _pending.ToString();
        _pending.Clear();
        if (!Started)
        {
            var ready = all.IndexOf(Ready, StringComparison.Ordinal);
            if (ready < 0)
            {
                _pending.Append(all.Length > MaxHeldBeforeReady ? all[^MaxHeldBeforeReady..] : all);
                return;
            }

            Started = true;
            all = all[(ready + Ready.Length)..];
        }

        while (true)
        {
            var mark = all.IndexOf(Marker, StringComparison.Ordinal);
            if (mark < 0)
            {
                // Keep back a tail that may be the start of a mark cut between two messages.
                var hold = all.LastIndexOf('\u001b');
                if (hold >= 0 && Marker.StartsWith(all[hold..], StringComparison.Ordinal))
                {
                    Deliver(all[..hold], deliver);
                    _pending.Append(all[hold..]);
                }
                else
                {
                    Deliver(all, deliver);
                }

                return;
            }

            var end = all.IndexOf('\u0007', mark);
            if (end < 0 && all.Length - mark - Marker.Length <= MaxMarkLength)
            {
                Deliver(all[..mark], deliver);
                _pending.Append(all[mark..]);
                return;
            }

            if (end < 0 || end - mark - Marker.Length > MaxMarkLength)
            {
                // Too long to be one of the session's marks: the program printed it, so it is output. Holding it until a
                // BEL came would let a program make the client keep everything it prints.
                Deliver(all[..(mark + Marker.Length)], deliver);
                all = all[(mark + Marker.Length)..];
                continue;
            }

            Deliver(all[..mark], deliver);
            var body = all[(mark + Marker.Length)..end];
            if (body.StartsWith("exit=", StringComparison.Ordinal)
                && int.TryParse(body.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
            {
                ExitCode = code;
            }

            all = all[(end + 1)..];
        }
    }

    /// <summary>Passes on what was held back once the terminal is gone (it was output, not a mark).</summary>
    public void Flush(Action<string> deliver)
    {
        Deliver(_pending.ToString(), deliver);
        _pending.Clear();
    }

    private void Deliver(string text, Action<string> deliver)
    {
        if (text.Length > 0 && Started)
        {
            deliver(text);
        }
    }
}
