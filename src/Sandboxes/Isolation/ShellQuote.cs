using System.Text.RegularExpressions;

namespace Sandboxes.Isolation;

/// <summary>Quoting for the job scripts the agent runs.</summary>
internal static partial class ShellQuote
{
    /// <summary>Single-quotes a value for /bin/sh; every byte survives, quotes included.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>True for a valid environment variable name.</summary>
    public static bool IsVariableName(string name) => VariableName().IsMatch(name);

    // \z, not $: $ also matches before a final newline, and "NAME\n" would end the export line of a job script early.
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex VariableName();
}
