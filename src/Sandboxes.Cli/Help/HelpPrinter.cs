using System.CommandLine;
using System.Text;

namespace Sandboxes.Cli.Help;

/// <summary>
/// Prints System.CommandLine's help with two fixes: the usage line names the installed command (<c>sandboxes</c>, not
/// the assembly), and the verb's examples follow.
/// </summary>
internal static class HelpPrinter
{
    /// <summary>Prints the help that <paramref name="parse"/> asked for and returns the exit code.</summary>
    public static int Print(ParseResult parse)
    {
        using var captured = new StringWriter();
        var code = parse.Invoke(new InvocationConfiguration { Output = captured });
        Console.Out.Write(Rewrite(captured.ToString(), parse.CommandResult.Command));
        return code;
    }

    /// <summary>The help text with the usage naming <c>sandboxes</c> and the examples appended.</summary>
    internal static string Rewrite(string help, Command command)
    {
        var executable = RootCommand.ExecutableName;
        var text = new StringBuilder();
        foreach (var line in help.ReplaceLineEndings("\n").Split('\n'))
        {
            text.Append(line.StartsWith("  " + executable, StringComparison.Ordinal) ? "  sandboxes" + line[(2 + executable.Length)..] : line).Append('\n');
        }

        var examples = HelpExamples.For(command);
        if (examples.Count > 0)
        {
            var body = text.ToString().TrimEnd('\n');
            text.Clear().Append(body).Append("\n\nExamples:\n");
            foreach (var example in examples)
            {
                text.Append("  ").Append(example).Append('\n');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
