using System.Globalization;

namespace Sandboxes.CodeExecution;

/// <summary>
/// Runs code once, in a fresh process, through the sandbox's command API: the language's script finds the runtime,
/// writes the code (sent on stdin) to a temporary file and runs it, under a driver where the language has one, so
/// the last expression's value, rich outputs and errors come back as control lines. Works on every provider that runs
/// commands; streaming callbacks are live where the provider streams.
/// </summary>
internal static class OneOffRunner
{
    public static async Task<ExecutionResult> RunAsync(Sandbox sandbox, RunCodeRequest request, CancellationToken cancellationToken)
    {
        var language = request.Language ?? CodeLanguage.Python;
        var runtime = LanguageRuntime.For(language, sandbox.Provider);
        var nonce = Nonce.New();
        var builder = new ExecutionBuilder(request, language, contextId: null);
        var stdout = new ControlLineParser(nonce);
        var stderr = new ControlLineParser(nonce);
        var command = new RunCommandRequest(runtime.OnceScript(nonce))
        {
            Stdin = request.Code,
            Cwd = request.Cwd,
            Env = request.Env,
            TimeoutSeconds = request.TimeoutSeconds,
            OnStdout = text => stdout.Feed(text, builder.AddStdout, builder.Apply),
            OnStderr = text => stderr.Feed(text, builder.AddStderr, builder.Apply),
        };

        CommandResult result;
        try
        {
            result = await sandbox.RunCommandAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxTimeoutException timeout)
        {
            stdout.Flush(builder.AddStdout);
            stderr.Flush(builder.AddStderr);
            throw new SandboxTimeoutException(sandbox.Provider,
                $"The code exceeded its timeout of {timeout.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; its process and every process it started were killed.",
                timeout.Timeout, builder.Stdout, builder.Stderr, timeout);
        }

        stdout.Flush(builder.AddStdout);
        stderr.Flush(builder.AddStderr);
        if (builder.RuntimeMissing)
        {
            throw new RuntimeNotFoundException(sandbox.Provider, language, runtime.Searched);
        }

        if (result.Error is { } why)
        {
            // Killed from outside (memory limit, a signal): the code itself raised nothing, but it did not finish.
            builder.SetError(new ExecutionError(result.OutOfMemory ? "OutOfMemory" : "Killed", why, string.Empty));
        }

        return builder.Build(result.ExitCode);
    }
}
