using System.Diagnostics;

namespace Sandboxes.Cli.Tests.Harness;

/// <summary>
/// Runs the real <c>sandboxes</c> tool (built beside the tests) as a separate process with the run's private state
/// directory and config file, and without any provider credential or setting of the machine it runs on, so that every
/// test sees the same providers: local, and whatever a test configures itself.
/// </summary>
public static class CliTool
{
    /// <summary>The tool's assembly.</summary>
    public static string Dll { get; } = Path.Combine(Sandboxes.Testing.Requires.RepositoryRoot, "src", "Sandboxes.Cli", "bin",
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "Sandboxes.Cli.dll");

    /// <summary>Runs the tool with <paramref name="args"/>, no input, and waits for it.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, stdin: null, environment: null);

    /// <summary>Runs the tool with input and extra environment variables (a null value removes one) and waits for it.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyList<string> args, string? stdin, IReadOnlyDictionary<string, string?>? environment,
        TimeSpan? timeout = null)
    {
        using var process = Start(args, environment);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sandboxes {string.Join(' ', args)} did not finish; stderr so far: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the tool with redirected streams (the caller reads them and waits).</summary>
    public static Process Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        // As a terminal starts a foreground job: SIGINT and SIGQUIT at their defaults. A test run started as a background
        // job of a shell without job control inherits them ignored, and the tool, like any program, keeps what it was
        // given ignored; env execs the tool in its own place, so the pid is the tool's.
        var start = new ProcessStartInfo("env")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("--default-signal=INT,QUIT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in EnvironmentFor(environment))
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return Process.Start(start)!;
    }

    /// <summary>
    /// The tool's environment: this process's, with the run's state directory and config file, every provider's
    /// credential and setting variables removed, then <paramref name="overrides"/> (null removes a variable).
    /// </summary>
    public static Dictionary<string, string?> EnvironmentFor(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var descriptor in SandboxProviders.All)
        {
            foreach (var variable in descriptor.CredentialVariables.Concat(descriptor.SettingVariables))
            {
                environment[variable] = null;
            }
        }

        environment["SANDBOXES_PROVIDER"] = null;
        environment["SANDBOXES_STATE_DIR"] = CliTestEnvironment.StateDir;
        environment["SANDBOXES_CONFIG"] = CliTestEnvironment.ConfigPath;
        environment["XDG_CONFIG_HOME"] = Path.Combine(CliTestEnvironment.StateDir, "config");
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>Sends a signal to a process this test started (by its pid, never by name).</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
