using System.CommandLine;
using System.CommandLine.Completions;

namespace Sandboxes.Cli.Completion;

/// <summary>
/// What shell completion needs to know about the command tree, read from the System.CommandLine definitions (so the
/// scripts never drift from the parser): each verb's options, which take a value and which values they offer, and
/// its positional arguments. An argument named <c>id</c> completes with the ids <c>sandboxes list -q</c> prints.
/// </summary>
internal sealed record CompletionModel(IReadOnlyList<CompletionModel.Verb> Verbs, IReadOnlyList<string> RootOptions)
{
    /// <summary>What a value completes with.</summary>
    public enum ValueKind
    {
        /// <summary>Nothing to offer (free text).</summary>
        Free,

        /// <summary>A fixed list (<see cref="Value.Choices"/>).</summary>
        Choices,

        /// <summary>A file name.</summary>
        File,

        /// <summary>A sandbox id, asked of the tool at completion time.</summary>
        SandboxId,
    }

    /// <summary>How a value (of an option or argument) completes.</summary>
    public sealed record Value(ValueKind Kind, IReadOnlyList<string> Choices);

    /// <summary>An option: its names, description, and its value (null for a flag).</summary>
    public sealed record Flag(IReadOnlyList<string> Names, string Description, Value? Takes, bool Repeatable);

    /// <summary>A positional argument.</summary>
    public sealed record Positional(string Name, string Description, Value Completes, bool Many);

    /// <summary>A verb.</summary>
    public sealed record Verb(string Name, string Description, IReadOnlyList<Flag> Options, IReadOnlyList<Positional> Arguments);

    /// <summary>Reads the model from the root command.</summary>
    public static CompletionModel From(Command root)
    {
        var verbs = root.Subcommands.Where(c => !c.Hidden).Select(c => new Verb(
            c.Name,
            FirstLine(c.Description),
            c.Options.Where(o => !o.Hidden).Select(o => new Flag(
                [o.Name, .. o.Aliases.Order(StringComparer.Ordinal)],
                FirstLine(o.Description),
                o.ValueType == typeof(bool) ? null : ValueOf(o.ValueType, o.Name, o.GetCompletions(CompletionContext.Empty)),
                o.ValueType.IsArray)).ToList(),
            c.Arguments.Where(a => !a.Hidden).Select(a => new Positional(
                a.Name,
                FirstLine(a.Description),
                ValueOf(a.ValueType, a.Name, a.GetCompletions(CompletionContext.Empty)),
                a.Arity.MaximumNumberOfValues > 1)).ToList())).ToList();
        var rootOptions = root.Options.Where(o => !o.Hidden).SelectMany(o => new[] { o.Name }.Concat(o.Aliases))
            .Where(n => n.StartsWith('-')).Order(StringComparer.Ordinal).ToList();
        return new CompletionModel(verbs, rootOptions);
    }

    private static Value ValueOf(Type type, string name, IEnumerable<CompletionItem> completions)
    {
        if (type == typeof(FileInfo) || type == typeof(FileSystemInfo))
        {
            return new Value(ValueKind.File, []);
        }

        if (name == "id")
        {
            return new Value(ValueKind.SandboxId, []);
        }

        var choices = completions.Select(c => c.Label).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return choices.Count > 0 ? new Value(ValueKind.Choices, choices) : new Value(ValueKind.Free, []);
    }

    private static string FirstLine(string? text) =>
        (text ?? string.Empty).ReplaceLineEndings("\n").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
}
