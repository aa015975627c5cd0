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
    public static Task<Result> RunWithInputAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SANDBOXES_STATE_DIR"] = TestEnvironment.StateDir;
        start.Environment["SANDBOXES_PROVIDER"] = "local";
        return RunAsync(start, stdin);
    }

    /// <summary>
    /// Runs the tool as another, unprivileged user (this process must be root): a copy of the tool every user may
    /// read, a home and state directory of that user's own, and nothing else of this process's environment.
    /// </summary>
    public static Task<Result> RunAsUserAsync(int uid, string stateDir, params string[] args)
    {
        var home = System.IO.Path.Combine(UserCopy.Value, "home-" + uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(stateDir);
        foreach (var dir in new[] { home, stateDir })
        {
            Process.Start("chown", ["-R", $"{uid}:{uid}", dir])!.WaitForExit();
        }

        var start = new ProcessStartInfo("setpriv") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--", Sandboxes.Testing.Requires.FindExecutable("dotnet")!,
                     System.IO.Path.Combine(UserCopy.Value, "cli", "Sandboxes.Cli.dll") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        start.Environment["HOME"] = home;
        start.Environment["DOTNET_CLI_HOME"] = home;
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["SANDBOXES_STATE_DIR"] = stateDir;
        start.Environment["SANDBOXES_PROVIDER"] = "local";
        return RunAsync(start, null);
    }

    // The tool's build, copied where every user may read it (the checkout may sit in a home directory kept private).
    private static readonly Lazy<string> UserCopy = new(() =>
    {
        var root = System.IO.Path.Combine("/tmp", "sandboxes-tests-tool-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var target = System.IO.Path.Combine(root, "cli");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(System.IO.Path.GetDirectoryName(Path)!, "*", SearchOption.AllDirectories))
        {
            var destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(System.IO.Path.GetDirectoryName(Path)!, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }

        Process.Start("chmod", ["-R", "a+rX", root])!.WaitForExit();
        return root;
    });

    /// <summary>Removes the readable copy of the tool, if one was made.</summary>
    public static void RemoveUserCopy()
    {
        if (UserCopy.IsValueCreated)
        {
            Directory.Delete(UserCopy.Value, recursive: true);
        }
    }

    private static async Task<Result> RunAsync(ProcessStartInfo start, string? stdin)
    {
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
