using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using Sandboxes;
using Sandboxes.Cli;
using Sandboxes.Cli.Help;

var root = CommandTree.Create();
var parse = root.Parse(args);
if (parse.Action is HelpAction)
{
    return HelpPrinter.Print(parse);
}

// The [suggest] directive (dotnet-suggest) completes partial command lines, which are errors by nature.
var suggesting = root.Directives.OfType<SuggestDirective>().Any(d => parse.GetResult(d) is not null);
if (parse.Errors.Count > 0 && !suggesting)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine("sandboxes: " + error.Message);
    }

    var verb = parse.CommandResult.Command is RootCommand ? string.Empty : parse.CommandResult.Command.Name + " ";
    Console.Error.WriteLine($"Try 'sandboxes {verb}--help'.");
    return ExitCodes.Usage;
}

Interrupts.Install();
try
{
    // The tool reports errors itself (one line, no stack trace) and handles signals itself (cancel, clean up, exit 128+N).
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
    return await parse.InvokeAsync(invocation, Interrupts.Token);
}
catch (Exception error) when (error is SandboxException or OperationCanceledException or IOException or UnauthorizedAccessException)
{
    return ErrorReporter.Report(error);
}
