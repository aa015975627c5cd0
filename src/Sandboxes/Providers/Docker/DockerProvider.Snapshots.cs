using System.Net.Http.Json;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Snapshots: <c>POST /commit</c> turns a sandbox's filesystem into an image tagged
/// <c>localhost/sandboxes-snapshot:&lt;id&gt;</c>, which new sandboxes are created from. Processes are not saved.
/// </summary>
internal sealed partial class DockerProvider
{
    /// <summary>The repository snapshot images are tagged in.</summary>
    internal const string SnapshotRepository = "localhost/sandboxes-snapshot";

    /// <summary>Where a deleted snapshot still used by a sandbox waits until that sandbox goes.</summary>
    internal const string DeletedSnapshotRepository = "localhost/sandboxes-snapshot-deleted";

    public override async Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken)
    {
        var container = await InspectAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        var id = "snap-" + NewNonce()[..12];
        // Labels are set through Dockerfile LABEL instructions, one per label: Podman ignores the labels of the commit's
        // config body and reads only the first pair of a LABEL, keeping quotes; so values are escaped to need no quotes.
        string[] changes =
        [
            $"LABEL {DockerLabels.Snapshot}={id}",
            $"LABEL {DockerLabels.SnapshotName}={Uri.EscapeDataString(name ?? string.Empty)}",
            $"LABEL {DockerLabels.SnapshotSource}={container.Id ?? sandboxId}",
        ];
        // CUSTOM: the spec declares one `changes` value; engines take the parameter repeated, one instruction each.
        // The engine pauses the container while it copies (pause=true), so the snapshot is one moment of its filesystem.
        var commit = $"commit?container={Uri.EscapeDataString(sandboxId)}&repo={Uri.EscapeDataString(SnapshotRepository)}&tag={Uri.EscapeDataString(id)}&pause=true"
                     + string.Concat(changes.Select(c => "&changes=" + Uri.EscapeDataString(c)));
        await Call(sandboxId, async () =>
        {
            using var response = await _engine.SendAsync(HttpMethod.Post, commit,
                JsonContent.Create(new Api.ContainerConfig(), Api.DockerJsonContext.Default.ContainerConfig), cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        var image = await client.ImageInspectAsync(SnapshotRepository + ":" + id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new SnapshotInfo
        {
            Id = id,
            Name = name,
            SandboxId = container.Id ?? sandboxId,
            CreatedAt = ParseTime(image.Created),
            SizeBytes = image.Size,
            Labels = DockerLabels.UserLabels(image.Config?.Labels),
        };
    }

    public override async Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken)
    {
        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        var images = await client.ImageListAsync(filters: FiltersJson(("label", [DockerLabels.Snapshot])), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return images
            .Select(ToSnapshot)
            .OfType<SnapshotInfo>()
            .OrderBy(s => s.CreatedAt)
            .ToList();
    }

    public override async Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await FindSnapshotAsync(client, snapshotId, cancellationToken).ConfigureAwait(false);
        var reference = SnapshotReference(snapshot);
        try
        {
            await client.ImageDeleteAsync(reference, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.StatusCode == 409)
        {
            // Sandboxes created from it still use its layers. Move it out of the snapshots (a second tag, then the snapshot
            // tag goes): it can no longer be listed or started from, and is removed once its last sandbox is killed.
            await client.ImageTagAsync(reference, DeletedSnapshotRepository, snapshot, cancellationToken).ConfigureAwait(false);
            await client.ImageDeleteAsync(reference, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Finds a snapshot by id, or else by name (the newest of that name); returns its id.</summary>
    private async Task<string> FindSnapshotAsync(Api.IDockerApi client, string idOrName, CancellationToken cancellationToken)
    {
        if (IsSnapshotId(idOrName))
        {
            try
            {
                await client.ImageInspectAsync(SnapshotRepository + ":" + idOrName, cancellationToken: cancellationToken).ConfigureAwait(false);
                return idOrName;
            }
            catch (NotFoundException)
            {
                // Maybe a snapshot was named like an id.
            }
        }

        var named = (await ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
            .Where(s => s.Name == idOrName)
            .OrderByDescending(s => s.CreatedAt)
            .FirstOrDefault();
        return named?.Id ?? throw new NotFoundException(ProviderId, $"No docker snapshot has the id or name '{idOrName}'.");
    }

    /// <summary>Removes deleted snapshots that no sandbox uses any more.</summary>
    private async Task CollectDeletedSnapshotsAsync(Api.IDockerApi client, CancellationToken cancellationToken)
    {
        List<Api.ImageSummary> deleted;
        try
        {
            deleted = await client.ImageListAsync(filters: FiltersJson(("reference", [DeletedSnapshotRepository])), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            return; // housekeeping only: the kill itself succeeded
        }

        foreach (var image in deleted)
        {
            foreach (var tag in (image.RepoTags ?? []).Where(t => t.StartsWith(DeletedSnapshotRepository + ":", StringComparison.Ordinal)))
            {
                try
                {
                    await client.ImageDeleteAsync(tag, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (SandboxException)
                {
                    // Still in use by another sandbox: its own kill will try again.
                }
            }
        }
    }

    private static SnapshotInfo? ToSnapshot(Api.ImageSummary image)
    {
        var labels = image.Labels ?? new Dictionary<string, string>();
        if (!labels.TryGetValue(DockerLabels.Snapshot, out var id) || !IsSnapshotId(id)
            || !(image.RepoTags ?? []).Contains(SnapshotRepository + ":" + id))
        {
            return null; // a deleted snapshot waiting for its sandboxes, or an image built from a snapshot
        }

        return new SnapshotInfo
        {
            Id = id,
            Name = labels.TryGetValue(DockerLabels.SnapshotName, out var name) && name.Length > 0 ? Uri.UnescapeDataString(name) : null,
            SandboxId = labels.TryGetValue(DockerLabels.SnapshotSource, out var source) && source.Length > 0 ? source : null,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(image.Created),
            SizeBytes = image.Size,
            Labels = DockerLabels.UserLabels(labels),
        };
    }

    private static string SnapshotReference(string snapshotId) => SnapshotRepository + ":" + snapshotId;

    private static bool IsSnapshotId(string text) =>
        text.Length == 17 && text.StartsWith("snap-", StringComparison.Ordinal) && text[5..].All(char.IsAsciiHexDigitLower);

}
