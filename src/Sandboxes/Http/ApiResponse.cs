using System.Net.Http.Headers;

namespace Sandboxes.Http;

/// <summary>A response body together with its status and headers (for operations whose spec declares response headers, such as a pagination token).</summary>
/// <typeparam name="T">The body type.</typeparam>
public sealed class ApiResponse<T>
{
    private readonly Dictionary<string, string> _headers;

    /// <summary>Creates the response.</summary>
    public ApiResponse(T value, int statusCode, IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Value = value;
        StatusCode = statusCode;
        _headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            _headers[name] = string.Join(",", values);
        }
    }

    /// <summary>The body.</summary>
    public T Value { get; }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The response and content headers, names matched ignoring case, repeated values joined by commas.</summary>
    public IReadOnlyDictionary<string, string> Headers => _headers;

    /// <summary>The value of header <paramref name="name"/>, or null.</summary>
    public string? Header(string name) => _headers.TryGetValue(name, out var value) ? value : null;

    internal static ApiResponse<T> From(T value, HttpResponseMessage response)
    {
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers = response.Headers;
        if (response.Content is not null)
        {
            headers = headers.Concat(response.Content.Headers);
        }

        return new ApiResponse<T>(value, (int)response.StatusCode, headers);
    }
}
