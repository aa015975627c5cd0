namespace Sandboxes;

/// <summary>The MIME types of rich outputs that <see cref="MimeBundle"/> has accessors for.</summary>
public static class MimeTypes
{
    /// <summary><c>text/plain</c>: the value's printable form.</summary>
    public const string Text = "text/plain";

    /// <summary><c>text/html</c>.</summary>
    public const string Html = "text/html";

    /// <summary><c>text/markdown</c>.</summary>
    public const string Markdown = "text/markdown";

    /// <summary><c>text/latex</c>.</summary>
    public const string Latex = "text/latex";

    /// <summary><c>image/png</c> (base64 in the bundle).</summary>
    public const string Png = "image/png";

    /// <summary><c>image/jpeg</c> (base64 in the bundle).</summary>
    public const string Jpeg = "image/jpeg";

    /// <summary><c>image/svg+xml</c>.</summary>
    public const string Svg = "image/svg+xml";

    /// <summary><c>application/json</c>.</summary>
    public const string Json = "application/json";

    /// <summary><c>application/javascript</c>.</summary>
    public const string JavaScript = "application/javascript";
}
