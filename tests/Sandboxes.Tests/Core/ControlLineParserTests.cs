using NUnit.Framework;
using Sandboxes.CodeExecution;

namespace Sandboxes.Tests.Core;

/// <summary>Splitting a driver's output into the code's text and control lines, wherever chunks are cut.</summary>
public sealed class ControlLineParserTests
{
    private const string Nonce = "0123456789abcdef";
    private const string Stream = "before\u001fsbx:0123456789abcdef {\"t\":\"display\",\"main\":true,\"data\":{\"text/plain\":\"20\"}}\nmiddle "
                                  + "\u001fsbx:0123456789abcdef {\"t\":\"end\",\"id\":\"r1\",\"status\":\"ok\"}\nafter\u001f not a mark";

    [Test]
    public void Text_and_events_come_out_in_order_however_the_stream_is_cut([Values(1, 2, 3, 7, 16, 1000)] int chunk)
    {
        var parser = new ControlLineParser(Nonce);
        var items = new List<string>();

        for (var i = 0; i < Stream.Length; i += chunk)
        {
            parser.Feed(Stream.Substring(i, Math.Min(chunk, Stream.Length - i)), text => items.Add("text:" + text), e => items.Add("event:" + e.Type));
        }

        parser.Flush(text => items.Add("text:" + text));

        var merged = Merge(items);
        Assert.That(merged, Is.EqualTo(new[] { "text:before", "event:display", "text:middle ", "event:end", "text:after\u001f not a mark" }));
    }

    [Test]
    public void A_mark_with_another_nonce_is_the_code_s_own_text()
    {
        var parser = new ControlLineParser(Nonce);
        var texts = new List<string>();
        var events = 0;

        parser.Feed("\u001fsbx:ffffffffffffffff {\"t\":\"end\",\"id\":\"r1\"}\n", texts.Add, _ => events++);
        parser.Flush(texts.Add);

        Assert.That(events, Is.Zero);
        Assert.That(string.Concat(texts), Is.EqualTo("\u001fsbx:ffffffffffffffff {\"t\":\"end\",\"id\":\"r1\"}\n"));
    }

    [Test]
    public void A_display_event_carries_its_bundle()
    {
        var parser = new ControlLineParser(Nonce);
        ControlEvent? seen = null;

        parser.Feed($"\u001fsbx:{Nonce} {{\"t\":\"display\",\"main\":true,\"data\":{{\"text/plain\":\"20\",\"application/json\":{{\"a\":1}}}}}}\n", _ => { }, e => seen = e);

        var bundle = seen!.Bundle()!;
        Assert.That(bundle.IsMainResult, Is.True);
        Assert.That(bundle.Text, Is.EqualTo("20"));
        Assert.That(bundle.Json!.Value.GetProperty("a").GetInt32(), Is.EqualTo(1));
    }

    private static List<string> Merge(List<string> items)
    {
        // Consecutive text pieces are one piece of text, cut by the chunking.
        var merged = new List<string>();
        foreach (var item in items)
        {
            if (item.StartsWith("text:", StringComparison.Ordinal) && merged.Count > 0 && merged[^1].StartsWith("text:", StringComparison.Ordinal))
            {
                merged[^1] += item["text:".Length..];
            }
            else
            {
                merged.Add(item);
            }
        }

        return merged;
    }
}
