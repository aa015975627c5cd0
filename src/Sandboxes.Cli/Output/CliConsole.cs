using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Sandboxes.Cli.Output;

/// <summary>
/// The tool's two Spectre consoles: tables on stdout, progress on stderr. Colours and box drawing only on a terminal;
/// piped output gets plain, unwrapped text so that grep and awk see one row per line.
/// </summary>
internal static class CliConsole
{
    private static readonly Lazy<IAnsiConsole> StdoutConsole = new(() => Create(Console.Out, Console.IsOutputRedirected));
    private static readonly Lazy<IAnsiConsole> StderrConsole = new(() => Create(Console.Error, Console.IsErrorRedirected));

    /// <summary>The console for results (tables).</summary>
    public static IAnsiConsole Stdout => StdoutConsole.Value;

    /// <summary>The console for progress and notes.</summary>
    public static IAnsiConsole Stderr => StderrConsole.Value;

    /// <summary>True when stdout is a terminal (tables get borders and colour).</summary>
    public static bool StdoutIsTerminal => !Console.IsOutputRedirected;

    /// <summary>True when stderr is a terminal (progress is shown only then).</summary>
    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    // Readable JSON: '+' in a time zone offset or '<' in a label stays as it is (the output is data, not HTML).
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Prints JSON, indented, on stdout.</summary>
    public static void WriteJson(JsonNode? node) => Console.Out.WriteLine(node is null ? "null" : node.ToJsonString(JsonOptions));

    /// <summary>A note for the user on stderr (never data), unless <paramref name="quiet"/>.</summary>
    public static void Note(string text, bool quiet)
    {
        if (!quiet)
        {
            Console.Error.WriteLine("sandboxes: " + text);
        }
    }

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            // Spectre assumes 80 columns when not on a terminal and would wrap long cells; a pipe has no width.
            console.Profile.Width = 4096;
        }

        return console;
    }
}
