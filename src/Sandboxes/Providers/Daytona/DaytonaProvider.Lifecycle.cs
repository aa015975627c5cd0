using System.Globalization;
using Sandboxes.CodeExecution;
using Sandboxes.Providers.Daytona.Api;

namespace Sandboxes.Providers.Daytona;

/// <summary>Pause and resume, snapshots and preview URLs.</summary>
internal sealed partial class DaytonaProvider
{
    /// <summary><c>POST /sandbox/{id}/pause</c>, then waits until the sandbox has left <c>pausing</c>.</summary>
    public override async Task PauseAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var sandbox = await Api.PauseSandboxAsync(sandboxId, Organization, cancellationToken).ConfigureAwait(false);
        await WaitForStateAsync(sandbox, s => s != SandboxState.Pausing && s != SandboxState.Started, "pause", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /sandbox/{id}/start</c>, which resumes a paused sandbox (and starts a stopped one), then waits for <c>started</c>.</summary>
    public override async Task ResumeAsync(string sandboxId, CancellationToken cancellationToken)
    {
        Api.Sandbox sandbox;
        try
        {
            sandbox = await Api.StartSandboxAsync(sandboxId, Organization, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException error)
        {
            throw DaytonaErrors.Refine(error);
        }

        await WaitForStateAsync(sandbox, s => s == SandboxState.Started, "resume", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A Daytona snapshot of the sandbox's filesystem (<c>POST /sandbox/{id}/snapshot</c>), found by its unique name once the
    /// sandbox has left <c>snapshotting</c>; returned when the snapshot is active, so new sandboxes can start from it.
    /// </summary>
    public override async Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken)
    {
        // Daytona names snapshots uniquely per organization; a generated name never collides.
        var snapshotName = string.IsNullOrWhiteSpace(name) ? "sbx-snapshot-" + Nonce.New() : name;
        Api.Sandbox sandbox;
        try
        {
            sandbox = await Api.CreateSandboxSnapshotAsync(sandboxId, new CreateSandboxSnapshot { Name = snapshotName }, Organization, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SandboxException error)
        {
            throw DaytonaErrors.Refine(error);
        }

        sandbox = await WaitForStateAsync(sandbox, s => s != SandboxState.Snapshotting, "take its snapshot", cancellationToken).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + _options.StateTimeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var page = await Api.GetAllSnapshotsAsync(Organization, name: snapshotName, cancellationToken: cancellationToken).ConfigureAwait(false);
            var snapshot = page.Items.FirstOrDefault(s => s.Name == snapshotName);
            if (snapshot is not null && snapshot.State == SnapshotState.Active)
            {
                return ToSnapshot(snapshot, sandbox.Labels);
            }

            if (snapshot is not null && (snapshot.State == SnapshotState.Error || snapshot.State == SnapshotState.BuildFailed))
            {
                throw new ProviderException(ProviderId, $"Daytona snapshot {snapshotName} failed: {snapshot.ErrorReason ?? snapshot.State.Value}.");
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new SandboxTimeoutException(ProviderId, $"Daytona snapshot {snapshotName} was not ready within {_options.StateTimeout.TotalSeconds:0} s.",
                    _options.StateTimeout);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>Every snapshot of the organization, Daytona's general ones included (they can be passed as a template).</summary>
    public override async Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken)
    {
        // Daytona numbers its snapshot pages: the page number is the cursor, so the same bounds hold as for any listing.
        return await Pagination.CollectAsync(ProviderId, "snapshots", async (cursor, _, ct) =>
        {
            var page = cursor is null ? 1 : int.Parse(cursor, CultureInfo.InvariantCulture);
            var answer = await Api.GetAllSnapshotsAsync(Organization, page: page, limit: 100, cancellationToken: ct).ConfigureAwait(false);
            var next = page < answer.TotalPages && answer.Items.Count > 0 ? (page + 1).ToString(CultureInfo.InvariantCulture) : null;
            return (answer.Items.Select(s => ToSnapshot(s, null)), next);
        }, snapshot => snapshot.Id, limit: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>DELETE /snapshots/{id}</c>; deleting one that is gone is not an error.</summary>
    public override async Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        try
        {
            await Api.RemoveSnapshotAsync(snapshotId, Organization, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Already gone.
        }
    }

    /// <summary>
    /// A signed preview URL (<c>https://{port}-{token}.{proxy domain}</c>): the token is in the URL, so it opens without
    /// Daytona's preview-token header, for <see cref="DaytonaOptions.PreviewUrlLifetime"/>.
    /// </summary>
    public override async Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        var preview = await Api.GetSignedPortPreviewUrlAsync(sandboxId, port, Organization, (long)_options.PreviewUrlLifetime.TotalSeconds, cancellationToken)
            .ConfigureAwait(false);
        return Uri.TryCreate(preview.Url, UriKind.Absolute, out var url)
            ? url
            : throw new ProviderException(ProviderId, $"Daytona returned an unusable preview URL for port {port.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>
    /// The labels a snapshot gives new sandboxes: those of the sandbox it was taken from, while that sandbox exists
    /// (a Daytona snapshot itself has no labels).
    /// </summary>
    /// <exception cref="NotFoundException">No such snapshot.</exception>
    private async Task<IReadOnlyDictionary<string, string>> SnapshotLabelsAsync(string snapshotId, CancellationToken cancellationToken)
    {
        SnapshotDto snapshot;
        try
        {
            snapshot = await Api.GetSnapshotAsync(snapshotId, Organization, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException e)
        {
            throw new NotFoundException(ProviderId, $"Daytona has no snapshot '{snapshotId}'.", e);
        }

        if (string.IsNullOrEmpty(snapshot.SourceSandboxId))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            var source = await GetExistingAsync(snapshot.SourceSandboxId, cancellationToken).ConfigureAwait(false);
            return source.Labels ?? new Dictionary<string, string>();
        }
        catch (NotFoundException)
        {
            return new Dictionary<string, string>();
        }
    }

    private static SnapshotInfo ToSnapshot(SnapshotDto snapshot, IReadOnlyDictionary<string, string>? labels) => new()
    {
        Id = snapshot.Id,
        Name = snapshot.Name,
        SandboxId = snapshot.SourceSandboxId,
        CreatedAt = snapshot.CreatedAt,
        Labels = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels),
    };
}
