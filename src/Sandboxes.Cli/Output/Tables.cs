using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Sandboxes.Cli.Output;

/// <summary>Tables in one style: rounded borders and colour on a terminal, bare aligned columns in a pipe.</summary>
internal static class Tables
{
    /// <summary>A table with these column headers.</summary>
    public static Table Create(params string[] headers)
    {
        var table = new Table();
        if (CliConsole.StdoutIsTerminal)
        {
            table.Border(TableBorder.Rounded).BorderColor(Color.Grey);
        }
        else
        {
            table.Border(TableBorder.None);
        }

        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(CliConsole.StdoutIsTerminal ? $"[bold]{Markup.Escape(header)}[/]" : Markup.Escape(header)).NoWrap());
        }

        return table;
    }

    /// <summary>Prints a table on stdout; in a pipe, without the padding Spectre leaves at the end of each line.</summary>
    public static void Write(Table table)
    {
        if (CliConsole.StdoutIsTerminal)
        {
            CliConsole.Stdout.Write(table);
            return;
        }

        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 4096;
        console.Write(table);
        foreach (var line in text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
        {
            Console.Out.WriteLine(line.TrimEnd());
        }
    }

    /// <summary>A cell of plain text (never parsed as markup).</summary>
    public static IRenderable Cell(string text) => new Text(text);

    /// <summary>A coloured cell: <paramref name="style"/> is Spectre markup style such as "green".</summary>
    public static IRenderable Cell(string text, string style) =>
        CliConsole.StdoutIsTerminal ? new Markup($"[{style}]{Markup.Escape(text)}[/]") : new Text(text);

    /// <summary>A sandbox status, green when running, yellow when paused.</summary>
    public static IRenderable Status(SandboxStatus status) =>
        status == SandboxStatus.Running ? Cell(status.Value, "green")
        : status == SandboxStatus.Paused ? Cell(status.Value, "yellow")
        : Cell(status.Value, "grey");

    /// <summary>A local time to the second, or empty.</summary>
    public static string Time(DateTimeOffset? time) =>
        time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    /// <summary>A duration in milliseconds (or seconds above ten), or "-".</summary>
    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "-",
        { TotalSeconds: >= 10 } d => d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        { } d => d.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms",
    };
}
