using NUnit.Framework;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// The static entry points and the instance helpers, on the real local provider, written as a user writes them
/// (<c>using Sandboxes;</c>, <c>Sandbox.Configure</c>, <c>Sandbox.RunAsync</c>), so this file also proves the public
/// shape compiles from outside the library.
/// </summary>
[TestFixture]
[NonParallelizable] // the static default client is process-wide
public sealed class EntryPointTests
{
    [OneTimeSetUp]
    public void ConfigureStatics() => Sandbox.Configure(o =>
    {
        o.DefaultProvider = "local";
        o.UseConfigFile = false;
        o.ConfigureProvider("local", TestEnvironment.LocalConfig());
    });

    [Test]
    public async Task RunAsync_creates_runs_and_destroys()
    {
        var before = await LocalIdsAsync();

        var r = await Sandbox.RunAsync("echo hi; echo err >&2; exit 3");

        Assert.That(r.Stdout, Is.EqualTo("hi\n"));
        Assert.That(r.Stderr, Is.EqualTo("err\n"));
        Assert.That(r.ExitCode, Is.EqualTo(3));
        Assert.That(r.Selection!.Provider, Is.EqualTo("local"));
        Assert.That(r.Selection.Source, Is.EqualTo(ProviderSource.Configured));
        Assert.That(await LocalIdsAsync(), Is.EquivalentTo(before), "the sandbox is gone afterwards");
    }

    [Test]
    public async Task RunManyAsync_runs_in_one_sandbox_in_order()
    {
        var rs = await Sandbox.RunManyAsync(["echo a > /workspace/f", "cat /workspace/f", "false", "echo after"], provider: "local");

        Assert.That(rs.Select(r => r.ExitCode), Is.EqualTo(new[] { 0, 0, 1, 0 }));
        Assert.That(rs[1].Stdout, Is.EqualTo("a\n"), "state carries over: one sandbox");
        Assert.That(rs[3].Stdout, Is.EqualTo("after\n"));
    }

    [Test]
    public void The_sync_twins_work_too()
    {
        var r = Sandbox.Run("echo sync");

        Assert.That(r.Stdout, Is.EqualTo("sync\n"));
    }

    [Test]
    public async Task CreateAsync_returns_a_handle_with_the_whole_protocol_and_the_helpers()
    {
        await using var sb = await Sandbox.CreateAsync(new SandboxOptions
        {
            Labels = new Dictionary<string, string> { ["project"] = "entry-" + Guid.NewGuid().ToString("N")[..6] },
            Envs = new Dictionary<string, string> { ["GREETING"] = "hello" },
        });
        LeakCheck.Record(sb.Id);

        Assert.That((await sb.RunCommandAsync("echo $GREETING")).Stdout, Is.EqualTo("hello\n"));
        var many = await sb.RunCommandsAsync(["true", "false", "echo never"], stopOnError: true);
        Assert.That(many.Select(r => r.ExitCode), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(sb.Exists("/workspace"), Is.True, "the protocol's own operations are on the same handle");

        var lines = new List<string>();
        await foreach (var line in sb.StreamCommandAsync("for i in 1 2 3; do echo $i; done; printf 'no newline'; echo oops >&2").ReadLinesAsync())
        {
            lines.Add(line);
        }

        Assert.That(lines, Is.EquivalentTo(new[] { "1", "2", "3", "no newline", "oops" }));
        Assert.That(lines.Take(3), Is.EqualTo(new[] { "1", "2", "3" }), "in the order produced");
    }

    [Test]
    public async Task Upload_and_download_move_files_and_whole_directories()
    {
        var local = Directory.CreateTempSubdirectory("sbx-transfer-");
        try
        {
            File.WriteAllText(Path.Combine(local.FullName, "data.csv"), "a,b\n1,2\n");
            var tree = Directory.CreateDirectory(Path.Combine(local.FullName, "tree", "deep"));
            File.WriteAllBytes(Path.Combine(tree.FullName, "bin.dat"), [0, 1, 2, 255]);
            File.WriteAllText(Path.Combine(local.FullName, "tree", "run.sh"), "#!/bin/sh\necho ran\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(local.FullName, "tree", "run.sh"), (UnixFileMode)0x1ED); // 0755
            }
            File.CreateSymbolicLink(Path.Combine(local.FullName, "tree", "link"), "/etc/hostname");

            await using var sb = await Sandbox.CreateAsync();
            LeakCheck.Record(sb.Id);
            Assert.That(await sb.UploadAsync(Path.Combine(local.FullName, "data.csv"), "/workspace/data.csv"), Is.EqualTo(1));
            Assert.That(await sb.UploadAsync(Path.Combine(local.FullName, "tree"), "/workspace/in"), Is.EqualTo(2), "the symbolic link is skipped");

            Assert.That(await sb.ReadTextAsync("/workspace/data.csv"), Is.EqualTo("a,b\n1,2\n"));
            Assert.That((await sb.RunCommandAsync("/workspace/in/run.sh")).Stdout, Is.EqualTo("ran\n"), "permission bits kept");
            Assert.That(await sb.ExistsAsync("/workspace/in/link"), Is.False);

            await sb.RunCommandAsync("mkdir -p /workspace/out/sub && echo result > /workspace/out/r.txt && head -c 3000 /dev/zero > /workspace/out/sub/z");
            var target = Path.Combine(local.FullName, "out");
            Assert.That(await sb.DownloadAsync("/workspace/out", target), Is.EqualTo(2));
            Assert.That(File.ReadAllText(Path.Combine(target, "r.txt")), Is.EqualTo("result\n"));
            Assert.That(new FileInfo(Path.Combine(target, "sub", "z")).Length, Is.EqualTo(3000));

            Assert.That(await sb.DownloadAsync("/workspace/in/deep/bin.dat", Path.Combine(local.FullName, "copy.dat")), Is.EqualTo(1));
            Assert.That(File.ReadAllBytes(Path.Combine(local.FullName, "copy.dat")), Is.EqualTo(new byte[] { 0, 1, 2, 255 }));
            Assert.ThrowsAsync<NotFoundException>(() => sb.DownloadAsync("/workspace/missing", Path.Combine(local.FullName, "x")));
            Assert.That(Directory.GetFiles(local.FullName, "*.part", SearchOption.AllDirectories), Is.Empty);
        }
        finally
        {
            local.Delete(recursive: true);
        }
    }

    [Test]
    public async Task GetOrCreate_reuses_by_labels_and_Find_returns_null_when_none()
    {
        var labels = new Dictionary<string, string> { ["project"] = "ml-" + Guid.NewGuid().ToString("N")[..8] };
        Assert.That(await Sandbox.FindAsync(labels), Is.Null);

        var first = await Sandbox.GetOrCreateAsync(labels);
        LeakCheck.Record(first.Id);
        try
        {
            var same = await Sandbox.GetOrCreateAsync(labels);
            var found = await Sandbox.FindAsync(labels);

            Assert.That(same.Id, Is.EqualTo(first.Id));
            Assert.That(found!.Id, Is.EqualTo(first.Id));
            await same.DisposeAsync();
            Assert.That(await first.IsRunningAsync(), Is.True, "a reusable sandbox is kept when a handle is disposed");
        }
        finally
        {
            await first.KillAsync();
        }

        Assert.That(await Sandbox.FindAsync(labels), Is.Null);
    }

    [Test]
    public void Concurrent_GetOrCreate_calls_share_one_sandbox()
    {
        var labels = new Dictionary<string, string> { ["session"] = Guid.NewGuid().ToString("N") };
        var all = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Sandbox.GetOrCreateAsync(labels))).GetAwaiter().GetResult();
        try
        {
            Assert.That(all.Select(s => s.Id).Distinct().Count(), Is.EqualTo(1));
        }
        finally
        {
            LeakCheck.Record(all[0].Id);
            all[0].Kill();
        }
    }

    private static async Task<List<string>> LocalIdsAsync() =>
        (await Sandbox.DefaultClient.GetSandboxer("local").ListSandboxesAsync()).Select(s => s.Id).ToList();
}
