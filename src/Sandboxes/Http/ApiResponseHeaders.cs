using Refit;

namespace Sandboxes.Http;

/// <summary>Reads a header of a Refit response, where a vendor puts what its body does not carry (a pagination token).</summary>
internal static class ApiResponseHeaders
{
    /// <summary>The first value of header <paramref name="name"/>, or null when the response lacks it.</summary>
    public static string? Header(this IApiResponse response, string name) =>
        response.Headers is { } headers && headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
