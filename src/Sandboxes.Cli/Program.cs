using System.CommandLine;
using Sandboxes;
using Sandboxes.Cli;
using Sandboxes.Cli.Commands;

var root = new RootCommand("""
    sandboxes: run commands in isolated sandboxes (local namespaces, containers, cloud providers) from any language.

    The provider is -p/--provider, else $SANDBOXES_PROVIDER, else local.
    Exit codes: the command's own for run and exec; 2 usage or configuration; 124 timeout; 125 provider error;
    127 no runtime for the code's language; 130 interrupted.
    """)
{
    RunVerb.Create(),
    ExecVerb.Create(),
    ListVerb.Create(),
    DestroyVerb.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine("sandboxes: " + error.Message);
    }

    Console.Error.WriteLine("Try 'sandboxes --help'.");
    return ExitCodes.Usage;
}

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C cancels the command (which kills it in the sandbox) and lets cleanup run.
    e.Cancel = true;
    interrupt.Cancel();
};

try
{
    // The tool reports errors itself (one line, no stack trace) and handles Ctrl-C itself (cancel, then clean up).
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
    return await parse.InvokeAsync(invocation, interrupt.Token);
}
catch (Exception error) when (error is SandboxException or OperationCanceledException or IOException)
{
    return ErrorReporter.Report(error);
}
