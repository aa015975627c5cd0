using System.CommandLine;
using System.CommandLine.Parsing;

namespace Sandboxes.Cli;

/// <summary>Options shared by several verbs, and the parsing of their values (clients come from <see cref="CliSession"/>).</summary>
internal static class CliContext
{
    /// <summary><c>-p/--provider</c>: the provider to use.</summary>
    public static Option<string?> Provider { get; } = new("--provider", "-p")
    {
        Description = "Provider name (default: $SANDBOXES_PROVIDER, else the config file's, else auto-detected from credentials, else local)",
        CompletionSources = { _ => SandboxProviders.Names },
    };

    /// <summary><c>-e/--env KEY=VALUE</c>, repeatable.</summary>
    public static Option<string[]> Env { get; } = new("--env", "-e")
    {
        Description = "Environment variable KEY=VALUE (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>-l/--label KEY=VALUE</c>, repeatable.</summary>
    public static Option<string[]> Labels { get; } = new("--label", "-l")
    {
        Description = "Label KEY=VALUE (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>--json</c>: machine-readable output.</summary>
    public static Option<bool> Json { get; } = new("--json") { Description = "Print JSON instead of a table" };

    /// <summary><c>-q/--quiet</c>: no progress, no notes.</summary>
    public static Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress and no notes on stderr: only the command's own output" };

    /// <summary>
    /// Joins the words of a command line, refusing one that starts with an option the verb does not know: the parser
    /// hands such words to the command, so a typo (<c>--kep</c>) would run as a program in the sandbox. After
    /// <c>--</c> anything goes.
    /// </summary>
    public static string CommandLine(ParseResult parse, IReadOnlyList<string>? words)
    {
        words ??= [];
        if (words.Count > 0 && words[0].StartsWith('-') && !parse.Tokens.Any(t => t.Type == TokenType.DoubleDash))
        {
            throw new BadConfigException(string.Empty,
                $"Unknown option '{words[0]}' for {parse.CommandResult.Command.Name} (see `sandboxes {parse.CommandResult.Command.Name} --help`; a command starting with '-' goes after --).");
        }

        return string.Join(' ', words);
    }

    /// <summary>Parses KEY=VALUE pairs; a pair without '=' is a usage error naming the option.</summary>
    public static Dictionary<string, string> ParsePairs(IEnumerable<string>? pairs, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new BadConfigException(string.Empty, $"{option} expects KEY=VALUE, not '{pair}'.");
            }

            result[pair[..eq]] = pair[(eq + 1)..];
        }

        return result;
    }
}
