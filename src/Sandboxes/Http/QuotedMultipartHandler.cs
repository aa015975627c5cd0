using System.Net.Http.Headers;

namespace Sandboxes.Http;

/// <summary>
/// Writes the <c>name</c> and <c>filename</c> of each <c>multipart/form-data</c> part as quoted strings, as RFC 7578
/// shows them: .NET leaves a value that is a valid token unquoted (<c>name=file; filename=main.py</c>), which some
/// servers' multipart parsers refuse or crash on (Prism's does). A <c>filename*</c> is kept only for a name that is not
/// ASCII, where it is needed. A file part without a media type is given <c>application/octet-stream</c>, RFC 7578's
/// default, which the same parsers need spelled out.
/// </summary>
internal sealed class QuotedMultipartHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is MultipartFormDataContent multipart)
        {
            foreach (var part in multipart)
            {
                if (part.Headers.ContentDisposition is { } disposition)
                {
                    part.Headers.ContentDisposition = Quoted(disposition);
                    if (disposition.FileName is not null && part.Headers.ContentType is null)
                    {
                        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    }
                }
            }
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static ContentDispositionHeaderValue Quoted(ContentDispositionHeaderValue disposition)
    {
        var fileName = Unquote(disposition.FileName) ?? disposition.FileNameStar;
        var quoted = new ContentDispositionHeaderValue(disposition.DispositionType) { Name = Quote(Unquote(disposition.Name)) };
        if (fileName is not null)
        {
            var ascii = fileName.All(char.IsAscii);
            // A quoted string cannot carry a non-ASCII name: an ASCII stand-in there, the real one in filename*.
            quoted.FileName = Quote(ascii ? fileName : new string(fileName.Select(c => char.IsAscii(c) ? c : '_').ToArray()));
            if (!ascii)
            {
                quoted.FileNameStar = fileName;
            }
        }

        return quoted;
    }

    private static string? Unquote(string? value) =>
        value is { Length: >= 2 } && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;

    private static string? Quote(string? value) =>
        value is null ? null : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
