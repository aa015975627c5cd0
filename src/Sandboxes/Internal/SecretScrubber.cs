using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Sandboxes;

/// <summary>
/// Removes credentials from text before it becomes an exception message, a log line or a <c>ToString()</c>.
/// Every API key a <see cref="ProviderConfig"/> carries is registered here; well-known credential shapes
/// (bearer tokens, key headers, <c>api_key=</c> pairs) are masked even when they were never registered.
/// </summary>
public static partial class SecretScrubber
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    // Secrets shorter than this would mask ordinary words; providers' keys are all far longer.
    private const int MinimumSecretLength = 6;

    private static readonly ConcurrentDictionary<string, byte> Secrets = new(StringComparer.Ordinal);

    /// <summary>Registers a value that must never appear in messages or logs (an API key, a token, a password).</summary>
    public static void Register(string? secret)
    {
        if (!string.IsNullOrEmpty(secret) && secret.Length >= MinimumSecretLength)
        {
            Secrets.TryAdd(secret, 0);
        }
    }

    /// <summary>Returns <paramref name="text"/> with every registered secret and every recognisable credential masked.</summary>
    public static string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var secret in Secrets.Keys)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        text = BearerPattern().Replace(text, m => m.Groups[1].Value + Mask);
        text = KeyValuePattern().Replace(text, m => m.Groups[1].Value + Mask);
        return text;
    }

    [GeneratedRegex(@"(\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=\-]{6,}", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"((?:api[_-]?key|access[_-]?token|x-api-key|x-access-token|authorization|password|secret|token)[""']?\s*[:=]\s*[""']?)[^\s""',;&}]{4,}",
        RegexOptions.IgnoreCase)]
    private static partial Regex KeyValuePattern();
}
