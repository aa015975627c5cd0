using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Sandboxes;

/// <summary>
/// Removes credentials from text before it becomes an exception message, a log line or a <c>ToString()</c>.
/// Every API key a <see cref="ProviderConfig"/> carries is registered here for the life of the process; a credential
/// that lives with one sandbox or client (an E2B sandbox's envd token) is registered for as long as its holder keeps it
/// (<see cref="RegisterScoped"/>), so a long-running service scrubs against the sandboxes it has, not every one it ever
/// had. Well-known credential shapes (bearer tokens, key headers, <c>api_key=</c> pairs) are masked even when they were
/// never registered.
/// </summary>
public static partial class SecretScrubber
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    // Secrets shorter than this would mask ordinary words; providers' keys are all far longer.
    private const int MinimumSecretLength = 6;

    // The holder count of a secret registered for the life of the process: never released.
    private const int Permanent = -1;

    // Each registered secret with the number of scoped registrations holding it, or Permanent.
    private static readonly ConcurrentDictionary<string, int> Secrets = new(StringComparer.Ordinal);

    /// <summary>Registers a value that must never appear in messages or logs (an API key, a password), for the life of the process.</summary>
    public static void Register(string? secret)
    {
        if (IsSecret(secret))
        {
            Secrets[secret] = Permanent;
        }
    }

    /// <summary>
    /// Registers a value until the returned registration is disposed: for a credential that lives with one sandbox or
    /// client, such as the access token of a sandbox's agent. Registrations are counted, so two holders of one secret do
    /// not release each other's: it is scrubbed until the last is disposed (and for good if it is also registered with
    /// <see cref="Register"/>). Disposing a registration twice releases it once.
    /// </summary>
    /// <returns>The registration; dispose it when the holder is done with the secret.</returns>
    public static IDisposable RegisterScoped(string? secret)
    {
        if (!IsSecret(secret))
        {
            return Registration.None;
        }

        Secrets.AddOrUpdate(secret, 1, static (_, holders) => holders == Permanent ? Permanent : holders + 1);
        return new Registration(secret);
    }

    /// <summary>Returns <paramref name="text"/> with every registered secret and every recognisable credential masked.</summary>
    public static string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        // Enumerating the dictionary itself takes no lock and copies nothing (Keys would copy every secret each call).
        foreach (var (secret, _) in Secrets)
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

    /// <summary>How many secrets are registered (for tests of their release).</summary>
    internal static int Count => Secrets.Count;

    /// <summary>True while <paramref name="secret"/> is registered.</summary>
    internal static bool IsRegistered(string secret) => Secrets.ContainsKey(secret);

    private static bool IsSecret([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? secret) =>
        !string.IsNullOrEmpty(secret) && secret.Length >= MinimumSecretLength;

    private static void Release(string secret)
    {
        // A lost race (another holder registering or releasing at once) retries with the count it left.
        while (Secrets.TryGetValue(secret, out var holders) && holders != Permanent)
        {
            var released = holders <= 1
                ? Secrets.TryRemove(KeyValuePair.Create(secret, holders))
                : Secrets.TryUpdate(secret, holders - 1, holders);
            if (released)
            {
                return;
            }
        }
    }

    [GeneratedRegex(@"(\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=\-]{6,}", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"((?:api[_-]?key|access[_-]?token|x-api-key|x-access-token|authorization|password|secret|token)[""']?\s*[:=]\s*[""']?)[^\s""',;&}]{4,}",
        RegexOptions.IgnoreCase)]
    private static partial Regex KeyValuePattern();

    /// <summary>One holder's registration of a secret.</summary>
    private sealed class Registration(string? secret) : IDisposable
    {
        public static readonly Registration None = new(null);

        private string? _secret = secret;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _secret, null) is { } secret)
            {
                Release(secret);
            }
        }
    }
}
