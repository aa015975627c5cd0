using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Local;

/// <summary>
/// The process that created local sandboxes is killed with SIGKILL during a create, a command and a stream: the next
/// client finds and removes every orphan (no process, state or mount is left), and kept sandboxes survive with their
/// files.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class CrashTests
{
    private readonly List<Process> _clients = [];

    private string SandboxesDir => Path.Combine(TestEnvironment.StateDir, "local", "sandboxes");

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
    public void Check() => Requires.Bubblewrap();

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(15)]
    [TestCase(40)]
    [TestCase(100)]
    [TestCase(250)]
    public async Task A_client_killed_during_a_create_leaves_nothing_once_another_client_looks(int delayMs)
    {
        var before = Ids();
        using var cli = StartCli("run", "sleep 30");
        var id = await WaitForNewSandboxAsync(before, cli);
        await Task.Delay(delayMs);
        cli.Kill();
        await cli.WaitForExitAsync();

        await AssertReapedAsync(id);
    }

    [Test]
    public async Task A_client_killed_while_a_command_runs_leaves_nothing()
    {
        var before = Ids();
        using var cli = StartCli("run", "sleep 60");
        var id = await WaitForNewSandboxAsync(before, cli);
        await WaitUntilReadyAsync(id);
        await Task.Delay(300);
        cli.Kill();
        await cli.WaitForExitAsync();

        await AssertReapedAsync(id);
    }

    [Test]
    public async Task A_client_killed_while_it_streams_output_leaves_nothing()
    {
        var before = Ids();
        using var cli = StartCli("run", "while :; do echo line; done");
        var id = await WaitForNewSandboxAsync(before, cli);
        await WaitUntilReadyAsync(id);
        await Task.Delay(500);
        cli.Kill();
        await cli.WaitForExitAsync();

        await AssertReapedAsync(id);
    }

    [Test]
    public async Task A_kept_sandbox_survives_its_creator_with_its_files()
    {
        var before = Ids();
        using var cli = StartCli("run", "--keep", "echo kept > /workspace/k.txt; sleep 60");
        var id = await WaitForNewSandboxAsync(before, cli);
        await WaitUntilReadyAsync(id);
        await Task.Delay(500);
        cli.Kill();
        await cli.WaitForExitAsync();

        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
        await client.ListSandboxesAsync(); // the reaper runs here
        await using var sandbox = await client.AttachSandboxAsync(id);
        Assert.That(await sandbox.ReadTextAsync("/workspace/k.txt"), Is.EqualTo("kept\n"));
        await sandbox.KillAsync();
    }

    private async Task AssertReapedAsync(string id)
    {
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
        var listed = await client.ListSandboxesAsync();

        Assert.That(listed.Select(s => s.Id), Does.Not.Contain(id));
        Assert.That(Directory.Exists(Path.Combine(SandboxesDir, id)), Is.False, "its state is gone");
        Assert.That(ProcessesOf(id), Is.Empty, "none of its processes is left");
        Assert.That(File.ReadAllText("/proc/self/mountinfo"), Does.Not.Contain(id), "no mount of it is left");
    }

    private Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Cli.Path);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SANDBOXES_STATE_DIR"] = TestEnvironment.StateDir;
        start.Environment["SANDBOXES_PROVIDER"] = "local";
        var process = Process.Start(start)!;
        _clients.Add(process);
        // Drained, so that a client writing output never blocks on a full pipe before it is killed.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }

    private HashSet<string> Ids() =>
        Directory.Exists(SandboxesDir) ? Directory.EnumerateDirectories(SandboxesDir, "sbx-*").Select(d => Path.GetFileName(d)!).ToHashSet() : [];

    // The new sandbox this client made (other fixtures make sandboxes in the same state directory at the same time): the
    // one whose record names this client as its creator.
    private async Task<string> WaitForNewSandboxAsync(HashSet<string> before, Process cli)
    {
        var creator = "/" + cli.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/";
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var id in Ids().Except(before))
            {
                try
                {
                    if ((await File.ReadAllTextAsync(Path.Combine(SandboxesDir, id, "sandbox.json"))).Contains(creator, StringComparison.Ordinal))
                    {
                        LeakCheck.Record(id);
                        return id;
                    }
                }
                catch (IOException)
                {
                }
            }

            Assert.That(cli.HasExited, Is.False, "the client ended before it created a sandbox");
            await Task.Delay(2);
        }

        throw new TimeoutException("no sandbox was created");
    }

    private async Task WaitUntilReadyAsync(string id)
    {
        var record = Path.Combine(SandboxesDir, id, "sandbox.json");
        for (var i = 0; i < 3000; i++)
        {
            try
            {
                using var json = JsonDocument.Parse(await File.ReadAllTextAsync(record));
                if (json.RootElement.TryGetProperty("init_pid", out var pid) && pid.GetInt32() > 0)
                {
                    return;
                }
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
            }

            await Task.Delay(10);
        }

        Assert.Fail($"sandbox {id} did not become ready");
    }

    private static List<int> ProcessesOf(string id)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(id, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
