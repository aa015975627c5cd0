using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Isolation;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Security;

/// <summary>
/// The sandbox plants links, FIFOs and endless files where the client reads and writes its commands' files (the run
/// directory, <c>/.sandbox</c> inside), and where it opens terminals (<c>/dev/ptmx</c>): the client never follows,
/// blocks on or trusts them. Each test is one of the findings that held on the code before the run directory was
/// confined: every host file keeps its content, every call ends (with a result or a typed error) within its bounds.
/// </summary>
[TestFixture]
[Category("Bubblewrap")]
public sealed class LocalRunDirectoryTests
{
    // What a command runs to find its own job directory: its stderr is the job's stderr file (background commands).
    private const string JobDir = "d=$(dirname \"$(readlink /proc/self/fd/2)\")";

    private Sandboxer _client = null!;
    private string _hostDir = null!;
    private string _canary = null!;

    [OneTimeSetUp]
    public void CreateClient()
    {
        Requires.Bubblewrap();
        _client = new Sandboxer("local", TestEnvironment.LocalConfig("namespaces"));
    }

    [OneTimeTearDown]
    public async Task Dispose()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    [SetUp]
    public void MakeCanary()
    {
        _hostDir = Path.Combine(TestEnvironment.StateDir, "host-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_hostDir);
        _canary = Path.Combine(_hostDir, "canary");
        File.WriteAllText(_canary, "CANARY-CONTENT\n");
    }

    [TearDown]
    public void RemoveCanary() => Directory.Delete(_hostDir, recursive: true);

    [Test]
    public async Task The_control_fifo_is_out_of_reach_and_a_link_in_its_old_place_is_never_written()
    {
        var sandbox = await CreateAsync();
        var planted = await sandbox.RunCommandAsync($"ls -a /.sandbox; ln -s {_canary} /.sandbox/ctl && echo planted");

        var result = await sandbox.RunCommandAsync(new RunCommandRequest("echo hi") { TimeoutSeconds = 5 });

        Assert.That(planted.Stdout, Does.Not.Contain("ctl\n"), "the agent's control FIFO is not in the sandbox's view");
        Assert.That(planted.Stdout, Does.Contain("planted"));
        Assert.That(result.Stdout, Is.EqualTo("hi\n"), "commands still reach the agent");
        Assert.That(File.ReadAllText(_canary), Is.EqualTo("CANARY-CONTENT\n"));
    }

    [Test]
    public async Task A_jobs_directory_swapped_for_a_link_to_a_host_directory_gets_nothing_made_in_it()
    {
        var sandbox = await CreateAsync();
        await sandbox.StartCommandAsync(new RunCommandRequest($"sleep 0.3; mv /.sandbox/jobs /.sandbox/jobs.real && ln -s {_hostDir} /.sandbox/jobs"));
        await Task.Delay(1500);

        Assert.That(async () => await sandbox.RunCommandAsync(new RunCommandRequest("echo hi") { TimeoutSeconds = 5 }),
            Throws.InstanceOf<SandboxException>());
        Assert.That(Directory.EnumerateFileSystemEntries(_hostDir).Select(Path.GetFileName), Is.EqualTo(new[] { "canary" }));
    }

    [Test]
    public async Task A_timed_out_marker_linked_to_a_host_file_does_not_truncate_it()
    {
        var sandbox = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest($"{JobDir}; ln -s {_canary} \"$d/timed-out\"; sleep 30") { TimeoutSeconds = 1 });

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.That(async () => await sandbox.WaitForHandleAsync(handle.HandleId, bound.Token), Throws.InstanceOf<SandboxTimeoutException>());
        Assert.That(File.ReadAllText(_canary), Is.EqualTo("CANARY-CONTENT\n"));
    }

    [Test]
    public async Task Output_swapped_for_a_link_to_a_host_file_never_returns_that_file()
    {
        var sandbox = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest(
            $"{JobDir}; rm \"$d/stdout\"; ln -s {_canary} \"$d/stdout\"; echo err >&2"));

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await sandbox.WaitForHandleAsync(handle.HandleId, bound.Token);

        Assert.That(result.Stdout, Does.Not.Contain("CANARY"));
        Assert.That(result.Stderr, Is.EqualTo("err\n"));
    }

    [Test]
    public async Task Output_linked_to_an_endless_device_is_not_read()
    {
        var sandbox = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest($"{JobDir}; rm \"$d/stdout\"; ln -s /dev/zero \"$d/stdout\""));

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await sandbox.WaitForHandleAsync(handle.HandleId, bound.Token);

        Assert.That(result.Stdout, Is.Empty);
    }

    [Test]
    public async Task An_exit_file_swapped_for_a_fifo_cannot_hold_a_wait_past_its_token()
    {
        var sandbox = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest($"{JobDir}; rm -f \"$d/exit\"; mkfifo \"$d/exit\""));
        await Task.Delay(500);

        var watch = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        Assert.That(async () => await sandbox.WaitForHandleAsync(handle.HandleId, bound.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)));
    }

    [Test]
    public async Task A_pid_file_swapped_for_a_fifo_cannot_hold_listing_or_killing()
    {
        var sandbox = await CreateAsync();
        // The swap comes after the client has read the pid (it polls for it as the command starts; 2 s is ample even
        // on a loaded machine), and before it lists and kills.
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest($"{JobDir}; sleep 2; rm -f \"$d/pid\"; mkfifo \"$d/pid\"; sleep 30"));
        await Task.Delay(2600);

        var watch = Stopwatch.StartNew();
        var processes = await sandbox.ListProcessesAsync();
        await sandbox.KillProcessAsync(handle.Pid);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(processes.Select(p => p.Pid), Does.Contain(handle.Pid));
    }

    [Test]
    public async Task A_foreground_command_whose_exit_cannot_be_reported_still_ends_at_its_timeout()
    {
        var sandbox = await CreateAsync();
        // The command removes its own status FIFO and closes its output: the agent cannot report an exit status.
        var watch = Stopwatch.StartNew();
        var run = sandbox.RunCommandAsync(new RunCommandRequest("d=$(dirname \"$(readlink /proc/self/fd/1)\"); rm -f \"$d/status\" \"$d/exit\"; mkdir \"$d/exit\"; exec >&- 2>&-; sleep 30")
        {
            TimeoutSeconds = 2,
        });

        Assert.That(async () => await run, Throws.InstanceOf<SandboxTimeoutException>());
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task A_terminal_device_swapped_for_a_link_opens_nothing_and_leaks_nothing()
    {
        var sandbox = await CreateAsync();
        // A host file and a host character device of their own name (the null device's numbers), so that a descriptor
        // the host opened through the link can be told from those other fixtures hold at the same time.
        // Making a device takes root; elsewhere only the file is planted.
        var targets = new List<string> { _canary };
        if (Environment.IsPrivilegedProcess)
        {
            var device = Path.Combine(_hostDir, "null-device");
            const ulong NullDevice = (1 << 8) | 3; // makedev(1, 3)
            Assert.That(LibC.MkNodAt(-100 /* AT_FDCWD */, device, LibC.S_IFCHR | 0x1B6, NullDevice), Is.Zero, "mknod of a test device");
            targets.Add(device);
        }

        foreach (var target in targets)
        {
            await sandbox.RunCommandAsync($"rm -f /dev/ptmx && ln -s {target} /dev/ptmx");

            Assert.That(async () => await sandbox.CreatePtyAsync(new CreatePtyRequest()), Throws.InstanceOf<SandboxException>(), target);
            Assert.That(DescriptorsOpenOn(target), Is.Empty, "no descriptor left open on " + target);
        }

        Assert.That(File.ReadAllText(_canary), Is.EqualTo("CANARY-CONTENT\n"));
    }

    /// <summary>This process's descriptors that are open on <paramref name="path"/>.</summary>
    private static List<string> DescriptorsOpenOn(string path) =>
        Directory.GetFiles("/proc/self/fd")
            .Where(fd => new FileInfo(fd).LinkTarget is { } target && target == path)
            .ToList();

    [Test]
    public async Task Destroying_a_sandbox_removes_its_links_not_what_they_point_at()
    {
        var sandbox = await CreateAsync();
        await sandbox.RunCommandAsync($"ln -s {_hostDir} /workspace/host-dir; ln -s {_canary} /workspace/host-file; mkdir -p /workspace/deep && ln -s {_hostDir} /workspace/deep/again");

        await sandbox.KillAsync();

        Assert.That(File.ReadAllText(_canary), Is.EqualTo("CANARY-CONTENT\n"));
    }

    [Test]
    public async Task A_snapshot_keeps_a_link_as_a_link_and_never_the_host_file_behind_it()
    {
        var sandbox = await CreateAsync();
        await sandbox.RunCommandAsync($"ln -s {_hostDir} /workspace/host-dir; echo mine > /workspace/own.txt");

        var snapshot = await sandbox.CreateSnapshotAsync("links");
        try
        {
            var restored = await CreateAsync(new CreateSandboxRequest { Snapshot = snapshot.Id });
            var result = await restored.RunCommandAsync("cat /workspace/own.txt; cat /workspace/host-dir/canary");

            Assert.That(result.Stdout, Does.StartWith("mine\n"));
            Assert.That(result.Stdout, Does.Not.Contain("CANARY"));
            var owner = await restored.RunCommandAsync("touch /workspace/own.txt && echo writable");
            Assert.That(owner.Stdout, Is.EqualTo("writable\n"), "the sandbox's root owns what it restored");
        }
        finally
        {
            await _client.DeleteSnapshotAsync(snapshot.Id);
        }
    }

    private async Task<Sandbox> CreateAsync(CreateSandboxRequest? request = null)
    {
        var (sandbox, info) = await _client.CreateSandboxAsync(request ?? new CreateSandboxRequest());
        LeakCheck.Record(info.Id);
        return sandbox;
    }
}
