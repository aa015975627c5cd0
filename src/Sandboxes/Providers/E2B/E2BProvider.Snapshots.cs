using System.Collections.Concurrent;
using Sandboxes.Http;
using Sandboxes.Providers.E2B.Api;

namespace Sandboxes.Providers.E2B;

internal sealed partial class E2BProvider
{
    // E2B's snapshots are templates: they keep the sandbox's files and memory, not its labels or its origin. What this
    // client knows of the snapshots it took is kept here, so that sandboxes started from them carry the labels of the
    // sandbox they came from.
    private readonly ConcurrentDictionary<string, SnapshotOrigin> _snapshotOrigins = new(StringComparer.Ordinal);

    public override async Task<Sandboxes.SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken)
    {
        var source = await GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var created = await Api.PostSandboxesBySandboxIDSnapshotsAsync(sandboxId, new SandboxSnapshotRequest { Name = name }, cancellationToken)
            .ConfigureAwait(false);
        var origin = new SnapshotOrigin(sandboxId, source.Labels, DateTimeOffset.UtcNow);
        _snapshotOrigins[created.SnapshotID] = origin;
        return Describe(created, origin);
    }

    public override async Task<IReadOnlyList<Sandboxes.SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken)
    {
        return await Pagination.CollectAsync(ProviderId, "snapshots", async (next, _, ct) =>
        {
            var page = await Api.GetSnapshotsWithResponseAsync(limit: 100, nextToken: next, cancellationToken: ct).ConfigureAwait(false);
            return (page.Content!.Select(s => Describe(s, _snapshotOrigins.GetValueOrDefault(s.SnapshotID))), page.Header("X-Next-Token"));
        }, snapshot => snapshot.Id, limit: null, cancellationToken).ConfigureAwait(false);
    }

    public override async Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        try
        {
            // A snapshot is a template: E2B's SDKs delete it as one.
            await Api.DeleteTemplatesByTemplateIDAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Already gone.
        }

        _snapshotOrigins.TryRemove(snapshotId, out _);
    }

    private static Sandboxes.SnapshotInfo Describe(Api.SnapshotInfo snapshot, SnapshotOrigin? origin) => new()
    {
        Id = snapshot.SnapshotID,
        Name = SnapshotName(snapshot),
        SandboxId = origin?.SandboxId,
        CreatedAt = origin?.CreatedAt,
        Labels = origin?.Metadata ?? new Dictionary<string, string>(),
    };

    /// <summary>The name given at creation: E2B reports it qualified, as <c>team-slug/name:tag</c>.</summary>
    private static string? SnapshotName(Api.SnapshotInfo snapshot)
    {
        if (snapshot.Names is not [var full, ..])
        {
            return null;
        }

        var name = full[(full.LastIndexOf('/') + 1)..];
        var tag = name.LastIndexOf(':');
        return tag > 0 ? name[..tag] : name;
    }

    private sealed record SnapshotOrigin(string SandboxId, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt);
}
