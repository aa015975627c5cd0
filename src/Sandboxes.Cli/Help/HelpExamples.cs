using System.CommandLine;
using System.Runtime.CompilerServices;

namespace Sandboxes.Cli.Help;

/// <summary>
/// Examples shown at the end of a verb's <c>--help</c>. Kept apart from the description, which the root's help lists
/// for every verb and must stay one line.
/// </summary>
internal static class HelpExamples
{
    private static readonly ConditionalWeakTable<Command, string[]> Table = new();

    /// <summary>Attaches examples (one command line each, optionally followed by "  # comment") to a verb.</summary>
    public static T WithExamples<T>(this T command, params string[] examples)
        where T : Command
    {
        Table.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>The examples of a verb; empty when it has none.</summary>
    public static IReadOnlyList<string> For(Command command) => Table.TryGetValue(command, out var examples) ? examples : [];
}
