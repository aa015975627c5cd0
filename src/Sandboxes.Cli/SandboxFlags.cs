using System.CommandLine;
using System.Globalization;

namespace Sandboxes.Cli;

/// <summary>
/// The options every verb that creates a sandbox takes about the sandbox itself: its network (<c>--network</c>,
/// <c>--allow</c>) and its lifetime (<c>--lifetime</c>, which is the sandbox's, unlike <c>-t</c>, a command's).
/// </summary>
internal static class SandboxFlags
{
    private static readonly string[] Policies = ["none", "internet", "all"];

    /// <summary><c>--network none|internet|all</c>.</summary>
    public static Option<string?> Network { get; } = CreateNetwork();

    /// <summary><c>--allow HOST_OR_CIDR</c>, repeatable.</summary>
    public static Option<string[]> Allow { get; } = new("--allow")
    {
        Description = "Also let the sandbox reach this host, address or network (CIDR), private ones included (repeatable; alone, it reaches only these)",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>--lifetime DURATION</c>.</summary>
    public static Option<string?> Lifetime { get; } = new("--lifetime")
    {
        Description = "How long the sandbox lives before it is destroyed: 90s, 30m, 2h, 1d (default: a named or kept sandbox lives until destroyed, where the provider allows)",
    };

    /// <summary>
    /// <paramref name="options"/> with the network and lifetime the command line gives; <paramref name="network"/> is
    /// what the verb needs when the user said nothing (null: the provider's default).
    /// </summary>
    public static SandboxOptions Apply(ParseResult parse, SandboxOptions options, NetworkPolicy? network = null)
    {
        var allow = parse.GetValue(Allow) ?? [];
        return options with
        {
            Network = parse.GetValue(Network) switch
            {
                "none" => NetworkPolicy.None,
                "internet" => NetworkPolicy.Internet,
                "all" => NetworkPolicy.All,
                _ => network,
            },
            NetworkAllow = allow.Length > 0 ? allow : null,
            TimeoutSeconds = parse.GetValue(Lifetime) is { } lifetime ? ParseDuration(lifetime, "--lifetime") : null,
        };
    }

    /// <summary>Seconds in <c>90</c>, <c>90s</c>, <c>30m</c>, <c>2h</c> or <c>1d</c>; anything else is a usage error naming <paramref name="option"/>.</summary>
    public static int ParseDuration(string text, string option)
    {
        var trimmed = text.Trim();
        var unit = trimmed.Length > 0 && char.IsLetter(trimmed[^1]) ? char.ToLowerInvariant(trimmed[^1]) : 's';
        var number = char.IsLetter(trimmed.LastOrDefault()) ? trimmed[..^1] : trimmed;
        var scale = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        if (scale == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0
            || value * scale >= int.MaxValue)
        {
            throw new BadConfigException(string.Empty, $"{option} takes a duration such as 90s, 30m, 2h or 1d, not '{text}'.");
        }

        return (int)Math.Ceiling(value * scale);
    }

    /// <summary>
    /// For the note about a kept sandbox: when it will end (a lifetime given, or the provider's own, such as E2B's 300 s)
    /// and how to extend it; empty when it lives until destroyed or the provider cannot say.
    /// </summary>
    public static async Task<string> ExpiryNoteAsync(Sandbox sandbox, CancellationToken cancellationToken)
    {
        try
        {
            var info = await sandbox.InfoAsync(cancellationToken).ConfigureAwait(false);
            return info.ExpiresAt is { } end
                ? $"; it ends at {Output.Tables.Time(end)} unless extended: sandboxes extend {sandbox.Id} 1h"
                : string.Empty;
        }
        catch (SandboxException)
        {
            return string.Empty; // the note is a courtesy: the sandbox itself was made and kept
        }
    }

    private static Option<string?> CreateNetwork()
    {
        var option = new Option<string?>("--network")
        {
            Description = "The sandbox's network: none (loopback only), internet (outbound, not the host or private networks), all (the host's network)",
        };
        option.AcceptOnlyFromAmong(Policies);
        return option;
    }
}
