using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using Sandboxes.Providers.Docker;
using Sandboxes.Tests.Conformance;
using Api = Sandboxes.Providers.Docker.Api;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// What only the docker provider has, against the real engine of the conformance suite (podman's Docker API): version
/// negotiation, foreign containers, bytes through the hijacked stream, the network mode, snapshots still in use, relayed
/// ports under load, and images that are not there.
/// </summary>
[Category("Podman")]
public sealed class DockerEngineTests
{
    private DockerTarget _target = null!;
    private Sandboxer _client = null!;
    private readonly Dictionary<string, string> _labels = new() { ["fixture"] = "engine-" + Guid.NewGuid().ToString("N")[..8] };

    private DockerProvider Provider => (DockerProvider)_client.Adapter;

    [OneTimeSetUp]
    public async Task StartEngine()
    {
        _target = ProviderTargets.All.OfType<DockerTarget>().Single();
        await _target.EnsureStartedAsync();
        _client = new Sandboxer("docker", _target.Config);
    }

    [OneTimeTearDown]
    public async Task DisposeClient()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    [Test]
    public async Task The_api_version_is_the_one_the_engine_announces()
    {
        await _client.ListSandboxesAsync();
        using var http = DockerEndpoint.Parse(_target.Engine.DockerHost).CreateHttpClient();
        using var ping = await http.GetAsync(new Uri("http://docker/_ping"));
        var announced = ping.Headers.GetValues("Api-Version").Single();

        Assert.That(Provider.Engine.ApiVersion, Is.EqualTo(DockerOptions.CompareVersions(announced, "1.55") < 0 ? announced : "1.55"));
    }

    [Test]
    public async Task Containers_the_provider_did_not_create_are_never_listed_attached_or_killed()
    {
        var api = await Provider.Engine.ClientAsync(CancellationToken.None);
        var foreign = await api.ContainerCreateAsync(new Api.ContainerCreateRequest
        {
            Image = _target.Engine.Image,
            Entrypoint = ["sleep", "300"],
            Labels = new Dictionary<string, string>(_labels),
            HostConfig = new Api.HostConfig { NetworkMode = "none" },
        });
        try
        {
            await api.ContainerStartAsync(foreign.Id);

            var listed = await _client.ListSandboxesAsync(new ListSandboxesFilter { Labels = _labels });
            Assert.That(listed.Select(i => i.Id), Does.Not.Contain(foreign.Id));
            Assert.That(async () => await _client.AttachSandboxAsync(foreign.Id), Throws.InstanceOf<NotFoundException>());
            Assert.That(async () => await _client.KillSandboxAsync(foreign.Id), Throws.InstanceOf<NotFoundException>());
            Assert.That((await api.ContainerInspectAsync(foreign.Id)).State?.Running, Is.True, "the foreign container is untouched");
        }
        finally
        {
            await api.ContainerDeleteAsync(foreign.Id, force: true);
        }
    }

    [Test]
    public async Task Any_bytes_go_through_stdin_and_come_back_whole()
    {
        var (sandbox, _) = await CreateAsync();
        var data = new byte[3 * 1024 * 1024];
        new Random(11).NextBytes(data);
        data[0] = 0;
        data[1] = 0xFF;
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("cat > /workspace/in.bin; sha256sum /workspace/in.bin") { KeepStdinOpen = true });

        for (var offset = 0; offset < data.Length; offset += 100_000)
        {
            await sandbox.WriteStdinAsync(handle.HandleId, data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
        }

        await sandbox.CloseStdinAsync(handle.HandleId);
        var result = await sandbox.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.Stdout.Split(' ')[0], Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(data))));
        Assert.That(await sandbox.ReadFileAsync("/workspace/in.bin"), Is.EqualTo(data));
    }

    [Test]
    public async Task Large_stdin_and_large_output_flow_at_the_same_time()
    {
        var (sandbox, _) = await CreateAsync();
        var text = string.Concat(Enumerable.Range(0, 200_000).Select(i => $"line {i}\n"));

        var result = await sandbox.RunCommandAsync(new RunCommandRequest("cat; echo done >&2") { Stdin = text, TimeoutSeconds = 60 });

        Assert.That(result.Stdout, Is.EqualTo(text));
        Assert.That(result.Stderr, Is.EqualTo("done\n"));
    }

    [Test]
    public async Task A_command_that_leaves_its_stdin_unread_still_delivers_all_its_output()
    {
        // Podman drops an exec's remaining output when it cannot deliver stdin to a process that has exited.
        var (sandbox, _) = await CreateAsync();
        var stdin = new string('x', 256 * 1024);

        for (var i = 0; i < 10; i++)
        {
            var result = await sandbox.RunCommandAsync(new RunCommandRequest("echo out; echo err >&2; exit 3") { Stdin = stdin });

            Assert.That((result.Stdout, result.Stderr, result.ExitCode), Is.EqualTo(("out\n", "err\n", 3)), $"run {i}");
        }
    }

    [Test]
    public async Task The_default_network_has_only_loopback()
    {
        var (sandbox, _) = await CreateAsync();

        var result = await sandbox.RunCommandAsync("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");

        Assert.That(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "lo" }));
    }

    [Test]
    public async Task A_background_command_killed_for_memory_says_so()
    {
        var (sandbox, _) = await CreateAsync(new CreateSandboxRequest { MemoryMb = 64 });

        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("python3 -c \"b = bytearray(300 * 1024 * 1024)\""));
        var result = await sandbox.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.ExitCode, Is.EqualTo(137));
        Assert.That(result.OutOfMemory, Is.True);
        Assert.That(result.Error, Does.Contain("memory limit of 64 MiB"));
    }

    [Test]
    public async Task Waiting_does_not_hang_when_the_process_that_waits_inside_was_killed()
    {
        var (sandbox, _) = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("echo partial; sleep 1"));

        await sandbox.RunCommandAsync(new RunCommandRequest($"kill -9 $(cat /tmp/.sandboxes/commands/{handle.HandleId}/wrapper)") { User = "root" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await sandbox.WaitForHandleAsync(handle.HandleId, timeout.Token);

        Assert.That(result.Stdout, Is.EqualTo("partial\n"));
        Assert.That(result.ExitCode, Is.EqualTo(-1));
        Assert.That(result.Error, Does.Contain("exit status is unknown"));
    }

    [Test]
    public async Task A_deleted_snapshot_still_in_use_goes_when_its_last_sandbox_goes()
    {
        var (source, _) = await CreateAsync();
        await source.WriteTextAsync("/workspace/state.txt", "kept");
        var snapshot = await source.CreateSnapshotAsync("in-use");
        var (copy, _) = await CreateAsync(new CreateSandboxRequest { Snapshot = snapshot.Id });

        await _client.DeleteSnapshotAsync(snapshot.Id);

        Assert.That((await _client.ListSnapshotsAsync()).Select(s => s.Id), Does.Not.Contain(snapshot.Id));
        Assert.That(await copy.ReadTextAsync("/workspace/state.txt"), Is.EqualTo("kept"), "the sandbox keeps its filesystem");
        Assert.That(await DeletedSnapshotImagesAsync(), Does.Contain(DockerProvider.DeletedSnapshotRepository + ":" + snapshot.Id));

        await copy.KillAsync();

        Assert.That(await DeletedSnapshotImagesAsync(), Does.Not.Contain(DockerProvider.DeletedSnapshotRepository + ":" + snapshot.Id));
    }

    [Test]
    public async Task A_snapshot_is_found_by_its_name_and_keeps_any_name()
    {
        var (source, _) = await CreateAsync();
        var name = "my \"odd\" name = é " + Guid.NewGuid().ToString("N")[..6];
        var snapshot = await source.CreateSnapshotAsync(name);
        try
        {
            var (copy, info) = await CreateAsync(new CreateSandboxRequest { Snapshot = name });

            Assert.That((await _client.ListSnapshotsAsync()).Single(s => s.Id == snapshot.Id).Name, Is.EqualTo(name));
            Assert.That(info.Template, Is.EqualTo(name));
            Assert.That((await copy.RunCommandAsync("echo ok")).Stdout, Is.EqualTo("ok\n"));
        }
        finally
        {
            await KillAllAsync();
            await _client.DeleteSnapshotAsync(snapshot.Id);
        }
    }

    [Test]
    public async Task Relayed_ports_carry_concurrent_connections_and_large_bodies()
    {
        var (sandbox, _) = await CreateAsync();
        var body = new byte[4 * 1024 * 1024];
        new Random(5).NextBytes(body);
        await sandbox.WriteFileAsync("/workspace/www/big.bin", body);
        await sandbox.StartCommandAsync(new RunCommandRequest("cd /workspace/www && exec python3 -m http.server 8001 --bind 127.0.0.1"));
        var url = await sandbox.PortUrlAsync(8001);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                await http.GetStringAsync(url);
                break;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200); // the server is still starting
            }
        }

        var downloads = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => http.GetByteArrayAsync(new Uri(url, "big.bin"))));

        Assert.That(downloads, Has.All.EqualTo(body));
        Assert.That(await sandbox.PortUrlAsync(8001), Is.EqualTo(url), "one listener per sandbox port");
    }

    [Test]
    public void An_image_the_engine_cannot_find_or_pull_is_not_found()
    {
        Assert.That(async () => await _client.CreateSandboxAsync(new CreateSandboxRequest
            {
                Image = "localhost/sandboxes-no-such-image:1", Labels = _labels,
            }),
            Throws.InstanceOf<NotFoundException>().With.Message.Contains("sandboxes-no-such-image"));
    }

    [Test]
    public void The_adapters_own_labels_cannot_be_set()
    {
        Assert.That(async () => await _client.CreateSandboxAsync(_target.CreateRequest with
            {
                Labels = new Dictionary<string, string> { [DockerLabels.Lifetime] = "0" },
            }),
            Throws.InstanceOf<BadConfigException>().With.Message.Contains(DockerLabels.Lifetime));
    }

    [Test]
    public async Task Every_client_writes_to_a_kept_stdin_and_any_of_them_closes_it()
    {
        var (sandbox, _) = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("cat") { KeepStdinOpen = true, TimeoutSeconds = 30 });
        await using var other = new Sandboxer("docker", _target.Config);
        var attached = await other.AttachSandboxAsync(sandbox.Id);

        await sandbox.WriteStdinAsync(handle.HandleId, "from the starter, ");
        await attached.WriteStdinAsync(handle.HandleId, "from another client");
        await attached.CloseStdinAsync(handle.HandleId);

        Assert.That((await sandbox.WaitForHandleAsync(handle.HandleId)).Stdout, Is.EqualTo("from the starter, from another client"));
        Assert.That(async () => await sandbox.WriteStdinAsync(handle.HandleId, "late"),
            Throws.InstanceOf<NotFoundException>().With.Message.Contains("no open stdin"));
    }

    [Test]
    public async Task A_command_without_kept_stdin_takes_no_input()
    {
        var (sandbox, _) = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("sleep 20") { TimeoutSeconds = 30 });

        Assert.That(async () => await sandbox.WriteStdinAsync(handle.HandleId, "x"),
            Throws.InstanceOf<NotFoundException>().With.Message.Contains("KeepStdinOpen"));
        await sandbox.KillProcessAsync(handle.Pid, ProcessSignal.Kill);
    }

    [Test]
    public async Task Processes_belonging_to_a_background_command_name_its_handle()
    {
        var (sandbox, _) = await CreateAsync();
        var handle = await sandbox.StartCommandAsync(new RunCommandRequest("sleep 30 & sleep 31; wait") { TimeoutSeconds = 20 });

        var processes = await sandbox.ListProcessesAsync();

        Assert.That(processes.Where(p => p.Command.StartsWith("sleep 3", StringComparison.Ordinal)).Select(p => p.HandleId),
            Is.EqualTo(new[] { handle.HandleId, handle.HandleId }));
        Assert.That(processes.Select(p => p.Command), Has.None.Contains("sandboxes-"), "the adapter's helpers are not listed");
        await sandbox.KillProcessAsync(handle.Pid, ProcessSignal.Kill);
    }

    private async Task<(Sandbox Sandbox, SandboxInfo Info)> CreateAsync(CreateSandboxRequest? request = null)
    {
        var merged = (request ?? new CreateSandboxRequest()) with { Labels = _labels };
        if (merged.Image is null && merged.Snapshot is null)
        {
            merged = merged with { Image = _target.Engine.Image };
        }

        var created = await _client.CreateSandboxAsync(merged);
        LeakCheck.Record(created.Info.Id);
        return created;
    }

    private async Task KillAllAsync()
    {
        foreach (var info in await _client.ListSandboxesAsync(new ListSandboxesFilter { Labels = _labels }))
        {
            await _client.KillSandboxAsync(info.Id);
        }
    }

    private async Task<List<string>> DeletedSnapshotImagesAsync()
    {
        var api = await Provider.Engine.ClientAsync(CancellationToken.None);
        return (await api.ImageListAsync()).SelectMany(i => i.RepoTags ?? []).Where(t => t.StartsWith(DockerProvider.DeletedSnapshotRepository, StringComparison.Ordinal)).ToList();
    }
}
