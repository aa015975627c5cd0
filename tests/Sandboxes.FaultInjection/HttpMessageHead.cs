using System.Globalization;
using System.Text;

namespace Sandboxes.FaultInjection;

/// <summary>
/// The start line and headers of one HTTP/1.1 message as they came over the wire (kept verbatim, to be forwarded
/// unchanged), with what a proxy needs to know about its body: how long it is, or that it runs until the connection
/// closes.
/// </summary>
internal sealed class HttpMessageHead
{
    private readonly List<KeyValuePair<string, string>> _headers;

    private HttpMessageHead(byte[] raw, string startLine, List<KeyValuePair<string, string>> headers)
    {
        Raw = raw;
        StartLine = startLine;
        _headers = headers;
        var parts = startLine.Split(' ', 3);
        First = parts[0];
        Second = parts.Length > 1 ? parts[1] : string.Empty;
    }

    /// <summary>The head as received, blank line included.</summary>
    public byte[] Raw { get; }

    /// <summary>The request or status line.</summary>
    public string StartLine { get; }

    /// <summary>A request's method, or a response's protocol version.</summary>
    public string First { get; }

    /// <summary>A request's target, or a response's status code.</summary>
    public string Second { get; }

    /// <summary>A response's status code.</summary>
    public int Status => int.Parse(Second, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>A request's path, without its query.</summary>
    public string Path => Second.Split('?', 2)[0];

    /// <summary>True for a chunked body.</summary>
    public bool IsChunked => Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The declared body length, or null.</summary>
    public long? ContentLength => Header("Content-Length") is { } text ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : null;

    /// <summary>The value of a header (the first, if repeated), or null.</summary>
    public string? Header(string name) => _headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Parses a head read up to and including its blank line.</summary>
    public static HttpMessageHead Parse(byte[] raw)
    {
        var lines = Encoding.Latin1.GetString(raw).Split("\r\n");
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return new HttpMessageHead(raw, lines[0], headers);
    }
}
