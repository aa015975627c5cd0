using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// The toolbox routes Prism 5.14 cannot stand in front of, checked here against <c>toolbox.json</c> instead: its proxy
/// re-encodes binary bodies as UTF-8 (every byte above 0x7F is damaged, in an upload's multipart body and in a download),
/// refuses bodies over 10 MB, and no error of <c>DownloadFile</c> can pass it (Swagger 2 makes
/// <c>application/octet-stream</c> the media type of every response of the operation, while its error schema is an object).
/// </summary>
internal static class UnrelayedRoutes
{
    /// <summary>True for the file transfer routes, which go straight to the daemon.</summary>
    public static bool Applies(string path) => path is "/files/upload-v2" or "/files/download" or "/files/bulk-upload" or "/files/bulk-download";

    /// <summary>The problem with the request, or null when it matches the operation's parameters.</summary>
    public static string? CheckRequest(HttpRequest request, string path)
    {
        if (path is "/files/bulk-upload" or "/files/bulk-download")
        {
            var expected = path == "/files/bulk-upload" ? "multipart/form-data" : "application/json";
            return !HttpMethods.IsPost(request.Method) ? $"{path}: {request.Method} instead of POST"
                : request.ContentType?.StartsWith(expected, StringComparison.OrdinalIgnoreCase) != true
                    ? $"{path}: the body is {request.ContentType ?? "missing"}, not {expected}"
                    : null;
        }

        if (string.IsNullOrEmpty(request.Query["path"]))
        {
            return $"{path}: the required query parameter 'path' is missing";
        }

        return path switch
        {
            "/files/download" when !HttpMethods.IsGet(request.Method) => $"{path}: {request.Method} instead of GET",
            "/files/upload-v2" when !HttpMethods.IsPost(request.Method) => $"{path}: {request.Method} instead of POST",
            "/files/upload-v2" when request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true =>
                $"{path}: the body is {request.ContentType ?? "missing"}, not multipart/form-data",
            _ => null,
        };
    }

    /// <summary>The problem with a response, or null when it matches the operation's responses.</summary>
    /// <param name="path">The route.</param>
    /// <param name="status">The status.</param>
    /// <param name="contentType">The media type.</param>
    /// <param name="json">The body, for JSON answers (null for a download's bytes).</param>
    public static string? CheckResponse(string path, int status, string? contentType, byte[]? json)
    {
        if (status is >= 200 and < 300 && path == "/files/bulk-upload")
        {
            return null; // "OK", no body described
        }

        if (status is >= 200 and < 300 && path == "/files/bulk-download")
        {
            return contentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true
                ? null
                : $"{path}: a {status} answer of type {contentType} instead of multipart/form-data";
        }

        if (status is >= 200 and < 300 && path == "/files/download")
        {
            return contentType?.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) == true
                ? null
                : $"{path}: a {status} answer of type {contentType} instead of application/octet-stream";
        }

        JsonObject? body;
        try
        {
            body = json is null ? null : JsonNode.Parse(json) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            return $"{path}: a {status} answer whose body is not a JSON object";
        }

        string[] required = status is >= 200 and < 300 ? ["name", "path", "type"] : ["message", "path", "timestamp"];
        foreach (var name in required)
        {
            if (body[name] is not JsonValue value || !value.TryGetValue<string>(out _))
            {
                return $"{path}: the {status} answer lacks the string '{name}'";
            }
        }

        return status is >= 200 and < 300 || body["statusCode"] is JsonValue code && code.TryGetValue<int>(out _)
            ? null
            : $"{path}: the {status} answer lacks the integer 'statusCode'";
    }
}
