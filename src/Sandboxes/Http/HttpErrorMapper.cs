using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Sandboxes.Http;

/// <summary>
/// The one mapping from a failed HTTP response to the typed errors of the core protocol, used by every generated client
/// and every adapter: 401/403 <see cref="UnauthorizedException"/>, 404 <see cref="NotFoundException"/>,
/// 429 <see cref="RateLimitException"/> (with <c>Retry-After</c>), 402 or a quota error <see cref="QuotaExceededException"/>,
/// anything else <see cref="ProviderException"/> with status, vendor error code and the scrubbed body.
/// </summary>
public static partial class HttpErrorMapper
{
    /// <summary>At most this many characters of an error body are read and kept.</summary>
    public const int MaxBodyLength = 64 * 1024;

    /// <summary>Maps a status, its body and its <c>Retry-After</c> to the typed error.</summary>
    /// <param name="provider">The provider name the error carries.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="body">The response body, or null.</param>
    /// <param name="reasonPhrase">The reason phrase, used when the body says nothing.</param>
    /// <param name="retryAfter">The wait <c>Retry-After</c> asked for, or null.</param>
    public static SandboxException Map(string provider, int statusCode, string? body, string? reasonPhrase = null, TimeSpan? retryAfter = null)
    {
        var error = ApiErrorBody.Parse(body);
        var detail = error.Message ?? (string.IsNullOrEmpty(reasonPhrase) ? null : reasonPhrase);
        var message = $"HTTP {statusCode}" + (detail is null ? string.Empty : ": " + detail) + (error.Code is null ? string.Empty : $" (code {error.Code})");
        if (statusCode == 402 || (statusCode is 400 or 403 or 429 && IsQuota(error)))
        {
            return new QuotaExceededException(provider, message);
        }

        return statusCode switch
        {
            401 or 403 => new UnauthorizedException(provider, message),
            404 => new NotFoundException(provider, message),
            429 => new RateLimitException(provider, message, retryAfter),
            _ => new ProviderException(provider, message, statusCode, error.Code, body),
        };
    }

    /// <summary>Maps a failed response whose body was already read.</summary>
    public static SandboxException FromResponse(string provider, HttpResponseMessage response, string? body, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Map(provider, (int)response.StatusCode, body, response.ReasonPhrase, ParseRetryAfter(response.Headers, timeProvider));
    }

    /// <summary>Throws the typed error when <paramref name="response"/> failed, reading (at most <see cref="MaxBodyLength"/> characters of) its body.</summary>
    public static async Task EnsureSuccessAsync(string provider, HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccessStatusCode)
        {
            var body = await ReadBodyAsync(response, async: true, cancellationToken).ConfigureAwait(false);
            throw FromResponse(provider, response, body);
        }
    }

    /// <summary>The synchronous twin of <see cref="EnsureSuccessAsync"/>.</summary>
    public static void EnsureSuccess(string provider, HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccessStatusCode)
        {
            var body = ReadBodyAsync(response, async: false, cancellationToken).GetAwaiter().GetResult();
            throw FromResponse(provider, response, body);
        }
    }

    /// <summary>The wait a <c>Retry-After</c> header asks for, as delta seconds or an HTTP date; null when absent or past.</summary>
    public static TimeSpan? ParseRetryAfter(HttpResponseHeaders headers, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.RetryAfter is { } retry)
        {
            if (retry.Delta is { } delta)
            {
                return delta;
            }

            if (retry.Date is { } date)
            {
                var now = headers.Date ?? (timeProvider ?? TimeProvider.System).GetUtcNow();
                var wait = date - now;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        // A fractional delta ("1.5") is not valid HTTP but some servers send it.
        if (headers.TryGetValues("Retry-After", out var values) &&
            double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }

    /// <summary>Reads up to <see cref="MaxBodyLength"/> characters of a response body (synchronously when <paramref name="async"/> is false).</summary>
    internal static async ValueTask<string?> ReadBodyAsync(HttpResponseMessage response, bool async, CancellationToken cancellationToken)
    {
        try
        {
            var stream = async
                ? await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false)
                : response.Content.ReadAsStream(cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var buffer = new char[MaxBodyLength];
            var total = 0;
            while (total < buffer.Length)
            {
                var read = async
                    ? await reader.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)
                    : reader.Read(buffer, total, buffer.Length - total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return new string(buffer, 0, total);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
        {
            return null;
        }
    }

    private static bool IsQuota(ApiErrorBody error) =>
        (error.Code is not null && QuotaPattern().IsMatch(error.Code)) || (error.Message is not null && QuotaPattern().IsMatch(error.Message));

    [GeneratedRegex(@"quota|insufficient[ _-]?(credit|balance|fund)|credits? (exhausted|exceeded)|billing|payment required", RegexOptions.IgnoreCase)]
    private static partial Regex QuotaPattern();
}
