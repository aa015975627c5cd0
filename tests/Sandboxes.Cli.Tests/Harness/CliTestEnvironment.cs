using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;

// In the root namespace of the tests: NUnit applies a SetUpFixture to its namespace and those below it.
namespace Sandboxes.Cli.Tests;

/// <summary>
/// Set-up for the whole run: a private state directory (the tool neither sees nor touches the user's sandboxes), a
/// private config file location, a <c>sandboxes</c> command on a private PATH entry (for terminals and completion), and
/// at the end a leak check: no sandbox, snapshot, state entry or process of the run may be left.
/// </summary>
[SetUpFixture]
public sealed class CliTestEnvironment
{
    /// <summary>The state directory of this run's local sandboxes.</summary>
    public static string StateDir { get; } = Path.Combine(Path.GetTempPath(), "sandboxes-cli-tests", $"run-{Environment.ProcessId}");

    /// <summary>Where the tool looks for its config file in this run (absent unless a test writes it).</summary>
    public static string ConfigPath => Path.Combine(StateDir, "config", "config.json");

    /// <summary>A directory holding an executable <c>sandboxes</c> that runs the built tool.</summary>
    public static string BinDir => Path.Combine(StateDir, "bin");

    [OneTimeSetUp]
    public void Prepare()
    {
        if (Directory.Exists(StateDir))
        {
            Directory.Delete(StateDir, recursive: true);
        }

        Directory.CreateDirectory(BinDir);
        var wrapper = Path.Combine(BinDir, "sandboxes");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{CliTool.Dll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    [OneTimeTearDown]
    public async Task CheckForLeaks()
    {
        var leaks = await LeakCheck.FindAsync();
        if (leaks.Count > 0)
        {
            // Clean up all the same, so that a failing run does not leave the machine busy.
            await CliTool.RunAsync("destroy", "--all", "-p", "local", "-q");
        }

        try
        {
            Directory.Delete(StateDir, recursive: true);
        }
        catch (IOException)
        {
        }

        Assert.That(leaks, Is.Empty, "the CLI tests left sandboxes, snapshots, state or processes behind");
    }
}
