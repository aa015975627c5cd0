namespace Sandboxes.Http;

/// <summary>A file sent as a multipart part or a binary body: its content, file name and media type.</summary>
/// <param name="Content">The content; read once when the request is sent, not disposed by the client.</param>
/// <param name="FileName">The file name sent in the part's <c>Content-Disposition</c>.</param>
/// <param name="ContentType">The media type of the content (default <c>application/octet-stream</c>).</param>
public sealed record ApiFile(Stream Content, string FileName = "file", string ContentType = "application/octet-stream")
{
    /// <summary>A file whose content is <paramref name="bytes"/>.</summary>
    public static ApiFile FromBytes(byte[] bytes, string fileName = "file", string contentType = "application/octet-stream") =>
        new(new MemoryStream(bytes ?? throw new ArgumentNullException(nameof(bytes)), writable: false), fileName, contentType);

    /// <summary>A stream is a file with the default name and media type.</summary>
    public static implicit operator ApiFile(Stream content) => new(content);
}
