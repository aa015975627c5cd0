using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// A client of the docker provider killed with SIGKILL while its sandbox runs leaves a container the next client
/// removes (it carries its creator and whether it is kept); a kept one survives with its files.
/// </summary>
[TestFixture]
[Category("Podman")]
public sealed class DockerCrashTests
{
    private readonly List<Process> _clients = [];
    private DockerTarget _target = null!;

    // A test that fails before it kills its client must not leave the client (and its sandbox) running.
    [TearDown]
    public void KillClients()
    {
        foreach (var client in _clients)
        {
            try
            {
                client.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Ended (or already disposed by its test, after it was killed there).
            }
        }

        _clients.Clear();
    }

    [OneTimeSetUp]
    public async Task StartEngine()
    {
        _target = ProviderTargets.All.OfType<DockerTarget>().Single();
        await _target.EnsureStartedAsync();
    }

    [Test]
    public async Task A_client_killed_while_its_sandbox_runs_leaves_a_container_the_next_client_removes()
    {
        var label = "crash=" + Guid.NewGuid().ToString("N")[..8];
        using var cli = StartCli("run", "-l", label, "sleep 60");
        var id = await WaitForSandboxAsync(label, cli);
        cli.Kill();
        await cli.WaitForExitAsync();

        await using var client = new Sandboxer(_target.Provider, _target.Config);
        var listed = await client.ListSandboxesAsync(new ListSandboxesFilter { Labels = Labels(label) });

        Assert.That(listed, Is.Empty);
        Assert.That(async () => await client.AttachSandboxAsync(id), Throws.InstanceOf<NotFoundException>(), "the container is gone");
    }

    [Test]
    public async Task A_kept_sandbox_survives_its_killed_creator()
    {
        var label = "crash=" + Guid.NewGuid().ToString("N")[..8];
        using var cli = StartCli("run", "--keep", "-l", label, "echo kept > /workspace/k.txt; sleep 60");
        var id = await WaitForSandboxAsync(label, cli);
        await Task.Delay(1000);
        cli.Kill();
        await cli.WaitForExitAsync();

        await using var client = new Sandboxer(_target.Provider, _target.Config);
        var listed = await client.ListSandboxesAsync(new ListSandboxesFilter { Labels = Labels(label) });

        Assert.That(listed.Select(s => s.Id), Is.EqualTo(new[] { id }));
        await using var sandbox = await client.AttachSandboxAsync(id);
        Assert.That(await sandbox.ReadTextAsync("/workspace/k.txt"), Is.EqualTo("kept\n"));
        await sandbox.KillAsync();
    }

    private static Dictionary<string, string> Labels(string label) => new() { [label.Split('=')[0]] = label.Split('=')[1] };

    private Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Cli.Path, args[0], "-p", "docker", "--image", _target.Engine.Image }.Concat(args[1..]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOCKER_HOST"] = _target.Engine.DockerHost;
        var process = Process.Start(start)!;
        _clients.Add(process);
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }

    private async Task<string> WaitForSandboxAsync(string label, Process cli)
    {
        await using var client = new Sandboxer(_target.Provider, _target.Config);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(90))
        {
            var found = await client.ListSandboxesAsync(new ListSandboxesFilter { Labels = Labels(label) });
            if (found.FirstOrDefault(s => s.Status == SandboxStatus.Running) is { } running)
            {
                LeakCheck.Record(running.Id);
                return running.Id;
            }

            Assert.That(cli.HasExited, Is.False, "the client ended before its sandbox ran");
            await Task.Delay(200);
        }

        throw new TimeoutException("no sandbox ran");
    }
}
