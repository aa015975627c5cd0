using System.Diagnostics;

namespace Sandboxes.Tests;

/// <summary>Runs the real <c>sandboxes</c> command-line tool (built beside the tests) with this run's state directory.</summary>
public static class Cli
{
    /// <summary>What a run of the tool produced.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>The tool's assembly.</summary>
    public static string Path { get; } = System.IO.Path.Combine(Sandboxes.Testing.Requires.RepositoryRoot, "src", "Sandboxes.Cli", "bin",
        new DirectoryInfo(System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "Sandboxes.Cli.dll");

    /// <summary>Runs the tool with <paramref name="args"/> and waits for it.</summary>
    public static Task<Result> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs the tool with <paramref name="stdin"/> piped in (an empty stdin when null) and waits for it.</summary>
    public static async Task<Result> RunWithInputAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SANDBOXES_STATE_DIR"] = TestEnvironment.StateDir;
        start.Environment["SANDBOXES_PROVIDER"] = "local";
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
