using System.Text.Json;

namespace Sandboxes;

/// <summary>
/// One rich output of code, as Jupyter represents it: the same value in several formats, keyed by MIME type
/// (<c>text/plain</c>, <c>text/html</c>, <c>image/png</c>, <c>image/svg+xml</c>, <c>application/json</c>...).
/// Either the value of the code's last expression (<see cref="IsMainResult"/>) or something it displayed (a figure, a table).
/// </summary>
public sealed class MimeBundle
{
    /// <summary>Creates a bundle from its formats. Images are base64 text, JSON is a JSON value, other formats are strings.</summary>
    public MimeBundle(IReadOnlyDictionary<string, JsonElement> data, bool isMainResult = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        IsMainResult = isMainResult;
    }

    /// <summary>Every format, by MIME type, as it arrived: base64 text for images, a JSON value for JSON, strings for the rest.</summary>
    public IReadOnlyDictionary<string, JsonElement> Data { get; }

    /// <summary>True for the value of the last expression (Jupyter's <c>execute_result</c>); false for display data.</summary>
    public bool IsMainResult { get; }

    /// <summary>The MIME types present.</summary>
    public IEnumerable<string> Formats => Data.Keys;

    /// <summary>The <c>text/plain</c> form (the value's repr), or null.</summary>
    public string? Text => GetText(MimeTypes.Text);

    /// <summary>The <c>text/html</c> form, or null.</summary>
    public string? Html => GetText(MimeTypes.Html);

    /// <summary>The <c>text/markdown</c> form, or null.</summary>
    public string? Markdown => GetText(MimeTypes.Markdown);

    /// <summary>The <c>text/latex</c> form, or null.</summary>
    public string? Latex => GetText(MimeTypes.Latex);

    /// <summary>The <c>image/svg+xml</c> form, or null.</summary>
    public string? Svg => GetText(MimeTypes.Svg);

    /// <summary>The <c>application/javascript</c> form, or null.</summary>
    public string? JavaScript => GetText(MimeTypes.JavaScript);

    /// <summary>The <c>image/png</c> form decoded to bytes, or null.</summary>
    public byte[]? Png => GetBytes(MimeTypes.Png);

    /// <summary>The <c>image/jpeg</c> form decoded to bytes, or null.</summary>
    public byte[]? Jpeg => GetBytes(MimeTypes.Jpeg);

    /// <summary>The <c>application/json</c> form, or null.</summary>
    public JsonElement? Json => Data.TryGetValue(MimeTypes.Json, out var value) ? value : null;

    /// <summary>True when the bundle has the format.</summary>
    public bool Has(string mimeType) => Data.ContainsKey(mimeType);

    /// <summary>A textual format as a string (lists of lines, as notebooks store them, are joined); null when absent.</summary>
    public string? GetText(string mimeType)
    {
        if (!Data.TryGetValue(mimeType, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Array => string.Concat(value.EnumerateArray().Select(line => line.ValueKind == JsonValueKind.String ? line.GetString() : line.GetRawText())),
            _ => value.GetRawText(),
        };
    }

    /// <summary>A base64 format (an image) decoded to bytes; null when absent or not base64.</summary>
    public byte[]? GetBytes(string mimeType)
    {
        var text = GetText(mimeType);
        if (text is null)
        {
            return null;
        }

        // Jupyter wraps base64 at 76 columns in some messages; whitespace is not part of the data.
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        var buffer = new byte[compact.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(compact, buffer, out var written) ? buffer[..written] : null;
    }

    /// <inheritdoc />
    public override string ToString() => Text ?? string.Join(", ", Formats);
}
