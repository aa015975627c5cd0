using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests;

/// <summary>
/// Set-up for the whole test run: a private state directory for local sandboxes, so the run neither sees nor touches
/// the user's own sandboxes, and a leak check at the end: every sandbox process, cgroup, state entry and temporary
/// directory the tests made must be gone.
/// </summary>
[SetUpFixture]
public sealed class TestEnvironment
{
    /// <summary>The state directory of this run's local sandboxes.</summary>
    public static string StateDir { get; } = Path.Combine(Path.GetTempPath(), "sandboxes-tests", $"run-{Environment.ProcessId}");

    /// <summary>The config every local client in the tests uses.</summary>
    public static ProviderConfig LocalConfig(string isolation = "auto") =>
        new() { Extra = new Dictionary<string, object?> { ["state_dir"] = StateDir, ["isolation"] = isolation } };

    [OneTimeSetUp]
    public void CreateStateDir()
    {
        if (Directory.Exists(StateDir))
        {
            Directory.Delete(StateDir, recursive: true);
        }

        Directory.CreateDirectory(StateDir);
    }

    [OneTimeTearDown]
    public async Task StopTargetsAndCheckForLeaks()
    {
        await ProviderTargets.StopAllAsync();
        Cli.RemoveUserCopy();
        var leaks = LeakCheck.Find(StateDir);
        try
        {
            Directory.Delete(StateDir, recursive: true);
        }
        catch (IOException)
        {
        }

        Assert.That(leaks, Is.Empty, "the test run left sandbox processes, cgroups or state behind");
    }
}
