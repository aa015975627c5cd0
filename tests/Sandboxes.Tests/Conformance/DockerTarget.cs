using Sandboxes.Testing;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// The docker provider on a real Docker-API engine: podman's compatible service, with the test image scripts/setup.sh
/// builds (see <see cref="PodmanService"/>). At the end of the run every sandbox container still alive, and every snapshot
/// taken from one of this run's sandboxes, is a leak.
/// </summary>
public sealed class DockerTarget : ProviderTarget
{
    private PodmanService? _engine;

    /// <inheritdoc />
    public override string Name => "docker";

    /// <inheritdoc />
    public override string Provider => "docker";

    /// <inheritdoc />
    public override string? Category => "Podman";

    /// <summary>The running engine (valid once started).</summary>
    public PodmanService Engine => _engine ?? throw new InvalidOperationException("The docker target is not started.");

    /// <inheritdoc />
    public override ProviderConfig Config => new() { BaseUrl = new Uri(Engine.DockerHost) };

    /// <inheritdoc />
    public override CreateSandboxRequest CreateRequest => new() { Image = Engine.Image };

    /// <inheritdoc />
    protected override async Task StartCoreAsync() => _engine = await PodmanService.StartAsync();

    /// <inheritdoc />
    protected override async Task StopCoreAsync()
    {
        if (_engine is null)
        {
            return;
        }

        await using (var client = new Sandboxer(Provider, Config))
        {
            var ids = LeakCheck.RecordedIds();
            foreach (var info in await client.ListSandboxesAsync())
            {
                if (ids.Contains(info.Id))
                {
                    LeakCheck.Report($"docker sandbox {info.Id[..12]} ({info.Status})");
                    await client.KillSandboxAsync(info.Id);
                }
            }

            foreach (var snapshot in await client.ListSnapshotsAsync())
            {
                if (snapshot.SandboxId is { } source && ids.Contains(source))
                {
                    LeakCheck.Report($"docker snapshot {snapshot.Id}");
                    await client.DeleteSnapshotAsync(snapshot.Id);
                }
            }
        }

        await _engine.DisposeAsync();
        _engine = null;
    }
}
