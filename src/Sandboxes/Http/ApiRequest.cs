using System.Collections;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sandboxes.Http;

/// <summary>
/// One request of a generated client, built before it is sent: method, route template with its values, query,
/// headers, body and the security alternatives of the operation. Generated code fills it; adapters may build one by hand.
/// A request is sent once (its body is disposed with the message); build a new one to retry.
/// </summary>
public sealed class ApiRequest
{
    private readonly Dictionary<string, string> _pathValues = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _query = [];

    // The escaped form of each query value: a comma that joins array items stays a literal comma, as OpenAPI writes it.
    private readonly List<string> _escapedQuery = [];
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private MultipartFormDataContent? _multipart;
    private List<KeyValuePair<string, string>>? _form;

    /// <summary>Creates a request for <paramref name="method"/> and the route template <paramref name="pathTemplate"/>.</summary>
    public ApiRequest(string method, string pathTemplate)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(pathTemplate);
        Method = method;
        PathTemplate = pathTemplate;
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>The route template, for example <c>/sandboxes/{sandboxID}</c>.</summary>
    public string PathTemplate { get; }

    /// <summary>The body, or null.</summary>
    public HttpContent? Content { get; private set; }

    /// <summary>The security alternatives: the first whose schemes all have credentials is applied.</summary>
    public IReadOnlyList<IReadOnlyList<ApiSecurityScheme>> Security { get; private set; } = [];

    /// <summary>The media type asked for in <c>Accept</c>, or null.</summary>
    public string? Accept { get; set; }

    /// <summary>Query pairs added so far (names and values unescaped).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query => _query;

    /// <summary>Headers added so far.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>Fills the placeholder <c>{<paramref name="name"/>}</c>; slashes in a <paramref name="catchAll"/> value are kept.</summary>
    public ApiRequest Path(string name, object? value, bool catchAll = false)
    {
        var text = ApiValueFormatter.Format(value) ?? throw new ArgumentNullException(name, $"The path parameter '{name}' is required.");
        _pathValues[name] = catchAll ? EscapeCatchAll(text) : Uri.EscapeDataString(text);
        return this;
    }

    /// <summary>Adds a query parameter; null is skipped, arrays and maps are written in <paramref name="style"/>.</summary>
    public ApiRequest QueryParameter(string name, object? value, ParameterStyle style = ParameterStyle.Form, bool explode = true)
    {
        switch (value)
        {
            case null:
                return this;
            case string or IFormattable or bool:
                AddQuery(name, ApiValueFormatter.Format(value)!);
                return this;
            case IEnumerable<KeyValuePair<string, string>> map:
                AddMap(name, map.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), style, explode);
                return this;
            case IEnumerable<KeyValuePair<string, object?>> objectMap:
                AddMap(name, objectMap.Select(p => new KeyValuePair<string, string?>(p.Key, ApiValueFormatter.Format(p.Value))), style, explode);
                return this;
            case IEnumerable items and not byte[]:
                var texts = items.Cast<object?>().Select(ApiValueFormatter.Format).Where(t => t is not null).Cast<string>().ToList();
                if (explode && style == ParameterStyle.Form)
                {
                    foreach (var text in texts)
                    {
                        AddQuery(name, text);
                    }
                }
                else if (texts.Count > 0)
                {
                    var separator = style switch
                    {
                        ParameterStyle.SpaceDelimited => " ",
                        ParameterStyle.PipeDelimited => "|",
                        _ => ",",
                    };
                    AddQuery(name, string.Join(separator, texts), string.Join(separator == "," ? "," : Uri.EscapeDataString(separator), texts.Select(Uri.EscapeDataString)));
                }

                return this;
            default:
                AddQuery(name, ApiValueFormatter.Format(value)!);
                return this;
        }
    }

    /// <summary>Adds a header; null is skipped, arrays are joined by commas.</summary>
    public ApiRequest Header(string name, object? value)
    {
        var text = value is IEnumerable items and not string and not byte[]
            ? string.Join(",", items.Cast<object?>().Select(ApiValueFormatter.Format))
            : ApiValueFormatter.Format(value);
        if (text is not null)
        {
            _headers.Add(new(name, text));
        }

        return this;
    }

    /// <summary>Adds a cookie (sent in the <c>Cookie</c> header); null is skipped.</summary>
    public ApiRequest Cookie(string name, object? value)
    {
        var text = ApiValueFormatter.Format(value);
        if (text is not null)
        {
            _headers.Add(new("Cookie", name + "=" + Uri.EscapeDataString(text)));
        }

        return this;
    }

    /// <summary>Sets a JSON body written with the source-generated <paramref name="typeInfo"/>; null sends no body.</summary>
    public ApiRequest JsonBody<T>(T value, JsonTypeInfo<T> typeInfo, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (value is not null)
        {
            var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            Content = content;
        }

        return this;
    }

    /// <summary>Sets a binary body; null sends no body. The stream is read when the request is sent and not disposed.</summary>
    public ApiRequest StreamBody(Stream? content, string contentType = "application/octet-stream")
    {
        if (content is not null)
        {
            Content = new StreamContent(new NonDisposingStream(content));
            Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return this;
    }

    /// <summary>Sets a binary body from a file (its media type is used unless <paramref name="contentType"/> is given).</summary>
    public ApiRequest StreamBody(ApiFile? file, string? contentType = null) =>
        file is null ? this : StreamBody(file.Content, contentType ?? file.ContentType);

    /// <summary>Sets a text body; null sends no body.</summary>
    public ApiRequest TextBody(string? text, string contentType = "text/plain")
    {
        if (text is not null)
        {
            Content = new StringContent(text, Encoding.UTF8);
            Content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        }

        return this;
    }

    /// <summary>Adds a part to a <c>multipart/form-data</c> body: files and streams as file parts, arrays as repeated parts, the rest as text.</summary>
    public ApiRequest Part(string name, object? value)
    {
        switch (value)
        {
            case null:
                return this;
            case ApiFile file:
                var fileContent = new StreamContent(new NonDisposingStream(file.Content));
                fileContent.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType);
                AddPart(fileContent, name, file.FileName);
                return this;
            case Stream stream:
                return Part(name, new ApiFile(stream));
            case byte[] bytes:
                return Part(name, ApiFile.FromBytes(bytes));
            case string or IFormattable or bool:
                AddPart(new StringContent(ApiValueFormatter.Format(value)!, Encoding.UTF8), name, null);
                return this;
            case IEnumerable items:
                foreach (var item in items)
                {
                    Part(name, item);
                }

                return this;
            default:
                AddPart(new StringContent(ApiValueFormatter.Format(value) ?? string.Empty, Encoding.UTF8), name, null);
                return this;
        }
    }

    /// <summary>Adds a part holding <paramref name="value"/> as JSON; null is skipped.</summary>
    public ApiRequest JsonPart<T>(string name, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (value is not null)
        {
            var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            AddPart(content, name, null);
        }

        return this;
    }

    /// <summary>Adds a field to an <c>application/x-www-form-urlencoded</c> body; null is skipped, arrays repeat the field.</summary>
    public ApiRequest FormField(string name, object? value)
    {
        if (value is null)
        {
            return this;
        }

        _form ??= [];
        if (value is IEnumerable items and not string and not byte[])
        {
            foreach (var item in items)
            {
                if (ApiValueFormatter.Format(item) is { } text)
                {
                    _form.Add(new(name, text));
                }
            }
        }
        else
        {
            _form.Add(new(name, ApiValueFormatter.Format(value)!));
        }

        Content = new FormUrlEncodedContent(_form);
        return this;
    }

    /// <summary>Sets the security alternatives of the operation (OpenAPI <c>security</c>: any one alternative, all schemes in it).</summary>
    public ApiRequest Secure(params ApiSecurityScheme[][] alternatives)
    {
        ArgumentNullException.ThrowIfNull(alternatives);
        Security = alternatives;
        return this;
    }

    /// <summary>The path with every placeholder filled; throws when one has no value.</summary>
    public string BuildPath()
    {
        var builder = new StringBuilder(PathTemplate.Length + 32);
        var i = 0;
        while (i < PathTemplate.Length)
        {
            var open = PathTemplate.IndexOf('{', i);
            if (open < 0)
            {
                builder.Append(PathTemplate, i, PathTemplate.Length - i);
                break;
            }

            var close = PathTemplate.IndexOf('}', open);
            if (close < 0)
            {
                builder.Append(PathTemplate, i, PathTemplate.Length - i);
                break;
            }

            builder.Append(PathTemplate, i, open - i);
            var name = PathTemplate.Substring(open + 1, close - open - 1).TrimStart('*');
            if (!_pathValues.TryGetValue(name, out var value))
            {
                throw new InvalidOperationException($"The route '{PathTemplate}' has no value for '{{{name}}}'.");
            }

            builder.Append(value);
            i = close + 1;
        }

        return builder.ToString();
    }

    /// <summary>The query string (without <c>?</c>), every name and value percent-escaped.</summary>
    public string BuildQuery(IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < _query.Count; i++)
        {
            Append(builder, _query[i].Key, _escapedQuery[i]);
        }

        foreach (var (name, value) in extra ?? [])
        {
            Append(builder, name, Uri.EscapeDataString(value));
        }

        return builder.ToString();

        static void Append(StringBuilder builder, string name, string escapedValue)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(EscapeQueryName(name)).Append('=').Append(escapedValue);
        }
    }

    private void AddQuery(string name, string value, string? escaped = null)
    {
        _query.Add(new(name, value));
        _escapedQuery.Add(escaped ?? Uri.EscapeDataString(value));
    }

    private static string EscapeQueryName(string name) =>
        Uri.EscapeDataString(name).Replace("%5B", "[", StringComparison.Ordinal).Replace("%5D", "]", StringComparison.Ordinal);

    private static string EscapeCatchAll(string value) =>
        string.Join("/", value.Split('/').Select(Uri.EscapeDataString));

    private void AddMap(string name, IEnumerable<KeyValuePair<string, string?>> map, ParameterStyle style, bool explode)
    {
        var pairs = map.Where(p => p.Value is not null).ToList();
        switch (style)
        {
            case ParameterStyle.DeepObject:
                foreach (var (key, value) in pairs)
                {
                    AddQuery($"{name}[{key}]", value!);
                }

                break;
            case ParameterStyle.KeyPrefix:
                foreach (var (key, value) in pairs)
                {
                    AddQuery($"{name}.{key}", value!);
                }

                break;
            default:
                if (explode)
                {
                    foreach (var (key, value) in pairs)
                    {
                        AddQuery(key, value!);
                    }
                }
                else if (pairs.Count > 0)
                {
                    var items = pairs.SelectMany(p => new[] { p.Key, p.Value! }).ToList();
                    AddQuery(name, string.Join(",", items), string.Join(",", items.Select(Uri.EscapeDataString)));
                }

                break;
        }
    }

    /// <summary>
    /// Adds a part with <c>name</c> and <c>filename</c> quoted, as browsers and curl send them: some servers (and Prism)
    /// fail on the unquoted tokens .NET writes by default. <c>filename*</c> is added only for a non-ASCII name.
    /// </summary>
    private void AddPart(HttpContent content, string name, string? fileName)
    {
        var disposition = new ContentDispositionHeaderValue("form-data") { Name = Quote(name) };
        if (fileName is not null)
        {
            if (fileName.All(c => c is >= ' ' and < (char)127))
            {
                disposition.FileName = Quote(fileName);
            }
            else
            {
                disposition.FileName = Quote(new string(fileName.Select(c => c is >= ' ' and < (char)127 ? c : '_').ToArray()));
                disposition.FileNameStar = fileName;
            }
        }

        content.Headers.ContentDisposition = disposition;
        Multipart().Add(content);
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private MultipartFormDataContent Multipart()
    {
        if (_multipart is null)
        {
            _multipart = new MultipartFormDataContent();
            Content = _multipart;
        }

        return _multipart;
    }
}
