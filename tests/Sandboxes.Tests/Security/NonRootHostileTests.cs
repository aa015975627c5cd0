using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sandboxes.Isolation;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Security;

/// <summary>
/// The same attacks with the client run by an unprivileged user (the tool run as <c>nobody</c>): bubblewrap makes the
/// user namespace itself, the sandbox is that user with no capabilities at all, and the client's protections are the
/// same. Only a root test run can switch users; a run that is not root is itself the unprivileged case (the other
/// fixtures in this folder then are these tests).
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed partial class NonRootHostileTests
{
    private const int Nobody = 65534;
    private string _stateDir = null!;
    private string _hostDir = null!;

    [OneTimeSetUp]
    public void RequireRoot()
    {
        Requires.Bubblewrap();
        if (LibC.GetEuid() != 0)
        {
            Assert.Ignore("This run is not root, so it cannot switch to another user: the in-process fixtures of Security are the unprivileged case here.");
        }

        // Under the run's state directory, where the end-of-run leak check looks for emulators' and other clients' sandboxes.
        _stateDir = Path.Combine(TestEnvironment.StateDir, "emulators", "nonroot");
        _hostDir = Path.Combine(TestEnvironment.StateDir, "nonroot-host-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_hostDir);
        File.WriteAllText(Path.Combine(_hostDir, "canary"), "CANARY-CONTENT\n");
        // Files the unprivileged user could damage itself: the only host files a sandbox of its could reach through it.
        Process.Start("chown", ["-R", $"{Nobody}:{Nobody}", _hostDir])!.WaitForExit();
    }

    [OneTimeTearDown]
    public void RemoveHostDir()
    {
        if (_hostDir is not null && Directory.Exists(_hostDir))
        {
            Directory.Delete(_hostDir, recursive: true);
        }
    }

    [Test]
    public async Task Every_attempt_on_the_host_is_refused_and_the_sandbox_has_no_capabilities()
    {
        var canary = Path.Combine(_hostDir, "canary");
        var script = $"set -- {Environment.ProcessId} {canary}\n" + HostileProbe.Script;
        var result = await Cli.RunAsUserAsync(Nobody, _stateDir, "run", "-t", "60", script);
        var results = HostileProbe.Parse(result.Stdout);

        Assert.That(results, Does.ContainKey("sysctl-core_pattern").And.ContainKey("uid"), result.Stdout + result.Stderr);
        Assert.That(HostileProbe.Allowed(results), Is.Empty, result.Stdout);
        Assert.That(results["uid"], Is.EqualTo(Nobody.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(HostileProbe.BoundingSet(results), Is.Zero);
        Assert.That(results["Seccomp"], Is.EqualTo("2"));
    }

    [Test]
    public async Task A_link_to_a_file_of_the_user_planted_in_the_run_directory_is_never_written()
    {
        var canary = Path.Combine(_hostDir, "canary");
        var id = await KeepAsync($"ln -s {canary} /.sandbox/ctl && ln -s {canary} /.sandbox/jobs/planted");
        try
        {
            var watch = Stopwatch.StartNew();
            var exec = await Cli.RunAsUserAsync(Nobody, _stateDir, "exec", "-t", "5", id, "echo hi");

            Assert.That(exec.Stdout, Is.EqualTo("hi\n"), exec.Stderr);
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
            Assert.That(File.ReadAllText(canary), Is.EqualTo("CANARY-CONTENT\n"));
        }
        finally
        {
            await Cli.RunAsUserAsync(Nobody, _stateDir, "destroy", id);
        }
    }

    [Test]
    public async Task Destroying_a_sandbox_removes_its_links_not_what_they_point_at()
    {
        var id = await KeepAsync($"ln -s {_hostDir} /workspace/host-dir; ln -s {_hostDir}/canary /workspace/host-file");

        var destroy = await Cli.RunAsUserAsync(Nobody, _stateDir, "destroy", id);

        Assert.That(destroy.ExitCode, Is.Zero, destroy.Stderr);
        Assert.That(File.ReadAllText(Path.Combine(_hostDir, "canary")), Is.EqualTo("CANARY-CONTENT\n"));
    }

    // Runs a command in a kept sandbox of the unprivileged user and returns the sandbox's id.
    private async Task<string> KeepAsync(string command)
    {
        var run = await Cli.RunAsUserAsync(Nobody, _stateDir, "run", "--keep", command);
        Assert.That(run.ExitCode, Is.Zero, run.Stdout + run.Stderr);
        var id = KeptId().Match(run.Stderr).Groups[1].Value;
        Assert.That(id, Is.Not.Empty, run.Stderr);
        LeakCheck.Record(id);
        return id;
    }

    [GeneratedRegex("kept sandbox (sbx-[a-z0-9]+)")]
    private static partial Regex KeptId();
}
