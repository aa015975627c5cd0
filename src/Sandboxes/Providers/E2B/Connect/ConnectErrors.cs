using System.Text;
using System.Text.Json;
using Sandboxes.Http;

namespace Sandboxes.Providers.E2B.Connect;

/// <summary>
/// Turns Connect errors into the library's typed errors through the one shared <see cref="HttpErrorMapper"/>: a Connect
/// code stands for the HTTP status the Connect protocol pairs it with (<c>not_found</c> is 404, <c>unauthenticated</c>
/// 401, <c>resource_exhausted</c> 429...), and the error JSON is read as any vendor error body.
/// </summary>
internal static class ConnectErrors
{
    /// <summary>The HTTP status the Connect protocol gives a code; 500 for an unknown one.</summary>
    public static int StatusOf(string? code) => code switch
    {
        "canceled" => 499,
        "invalid_argument" or "failed_precondition" or "out_of_range" => 400,
        "unauthenticated" => 401,
        "permission_denied" => 403,
        "not_found" => 404,
        "already_exists" or "aborted" => 409,
        "resource_exhausted" => 429,
        "unimplemented" => 501,
        "unavailable" => 503,
        "deadline_exceeded" => 504,
        _ => 500,
    };

    /// <summary>The error of an end-of-stream message, or null when the stream ended without one.</summary>
    /// <exception cref="ProviderException">The message is not the JSON the protocol defines.</exception>
    public static SandboxException? FromEndStream(string provider, ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(json);
        string? code;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("The end-of-stream message is not a JSON object.");
            }

            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                // Trailers only: the call succeeded.
                return null;
            }

            code = error.TryGetProperty("code", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new ProviderException(provider, "A Connect stream ended with a malformed end-of-stream message.", responseBody: text, innerException: e);
        }

        return HttpErrorMapper.Map(provider, StatusOf(code), text);
    }

    /// <summary>The error of a failed HTTP response (a unary error, or a streaming call refused before it started).</summary>
    public static SandboxException FromResponse(string provider, HttpResponseMessage response, string? body) =>
        HttpErrorMapper.FromResponse(provider, response, body);
}
