using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Providers.Docker;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// No container outlives its sandbox on the real engine: not after dispose, not after a create that was cancelled at any
/// point, not after a create the engine refused to start. Each test looks at every container carrying its own label,
/// sandbox or not, straight through the engine API.
/// </summary>
[Category("Podman")]
public sealed class DockerLeakTests
{
    private DockerTarget _target = null!;
    private Sandboxer _client = null!;

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
    public async Task Disposing_handles_and_the_client_leaves_no_container()
    {
        var labels = NewLabels();
        await using (var client = new Sandboxer("docker", _target.Config))
        {
            var (handle, info) = await client.CreateSandboxAsync(Request(labels));
            LeakCheck.Record(info.Id);
            LeakCheck.Record((await client.CreateSandboxAsync(Request(labels))).Info.Id);
            await handle.DisposeAsync();

            Assert.That(await ContainersLabelledAsync(labels), Has.Count.EqualTo(1), "the disposed handle's container is gone");
        }

        Assert.That(await ContainersLabelledAsync(labels), Is.Empty, "the disposed client's containers are gone");
    }

    [Test]
    public async Task A_create_cancelled_at_any_moment_leaves_no_container()
    {
        var labels = NewLabels();
        var outcomes = new List<string>();
        // From before the first engine call to after the container started: cancellation lands in every step of a create.
        foreach (var delay in new[] { 0, 1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 200, 400 })
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(delay));
            try
            {
                var (sandbox, info) = await _client.CreateSandboxAsync(Request(labels), cancel.Token);
                LeakCheck.Record(info.Id);
                await sandbox.KillAsync();
                outcomes.Add($"{delay} ms: created");
            }
            catch (OperationCanceledException)
            {
                outcomes.Add($"{delay} ms: cancelled");
            }
        }

        TestContext.Out.WriteLine(string.Join("; ", outcomes));
        Assert.That(outcomes, Has.Some.EndsWith("cancelled"), "some creates were cancelled");
        Assert.That(await ContainersLabelledAsync(labels), Is.Empty, string.Join("; ", outcomes));
    }

    [Test]
    public async Task A_create_the_engine_cannot_start_leaves_no_container()
    {
        var labels = NewLabels();

        // 1 MB is below what any container's init needs: Docker refuses it at create, podman (runc) at start.
        Assert.That(async () => await _client.CreateSandboxAsync(Request(labels) with { MemoryMb = 1 }), Throws.InstanceOf<SandboxException>());

        Assert.That(await ContainersLabelledAsync(labels), Is.Empty);
    }

    [Test]
    public async Task A_create_under_a_name_already_taken_leaves_the_first_and_adds_none()
    {
        var labels = NewLabels();
        var name = "sandboxes-leak-" + labels["fixture"];
        var (first, info) = await _client.CreateSandboxAsync(Request(labels) with { Name = name });
        LeakCheck.Record(info.Id);

        Assert.That(async () => await _client.CreateSandboxAsync(Request(labels) with { Name = name }), Throws.InstanceOf<SandboxException>());

        Assert.That(await ContainersLabelledAsync(labels), Is.EqualTo(new[] { info.Id }));
        await first.KillAsync();
        Assert.That(await ContainersLabelledAsync(labels), Is.Empty);
    }

    private static Dictionary<string, string> NewLabels() => new() { ["fixture"] = "leak-" + Guid.NewGuid().ToString("N")[..8] };

    private CreateSandboxRequest Request(Dictionary<string, string> labels) => _target.CreateRequest with { Labels = labels };

    /// <summary>The ids of every container with these labels, whatever its state, straight from the engine.</summary>
    private async Task<List<string>> ContainersLabelledAsync(Dictionary<string, string> labels)
    {
        var api = await Provider.Engine.ClientAsync(CancellationToken.None);
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [.. labels.Select(l => l.Key + "=" + l.Value)] });
        return (await api.ContainerListAsync(all: true, filters: filters)).Select(c => c.Id!).ToList();
    }
}
