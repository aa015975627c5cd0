using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// How the low-level <see cref="Sandboxer"/> keeps a create whose outcome is unknown (its answer lost, its deadline
/// passed, its caller gone) from leaving a sandbox that nobody knows of. It has no retries to resolve the outcome with,
/// so it reports the error the create met; before that, it finds whatever the provider made for the call by the call's
/// creation label, and kills it. A provider without labels sees to this in its adapter.
/// </summary>
internal static class UnansweredCreateCleanup
{
    // The look-up and the kills are bounded on their own: the call's token may be the one that gave up.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates a sandbox; if the outcome is unknown, kills what the call made and rethrows.</summary>
    public static async Task<SandboxInfo> CreateAsync(SandboxProvider provider, CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var creationId = CreationLabel.NewId();
        try
        {
            return await provider.CreateSandboxAsync(CreationLabel.Stamp(request, creationId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (FailureClassifier.OutcomeUnknown(e))
        {
            await KillMadeAsync(provider, creationId).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task KillMadeAsync(SandboxProvider provider, string creationId)
    {
        using var deadline = new CancellationTokenSource(CleanupTimeout);
        try
        {
            foreach (var made in await CreationLabel.FindAsync(provider, creationId, deadline.Token).ConfigureAwait(false))
            {
                await provider.KillSandboxAsync(made.Id, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException or HttpRequestException)
        {
            // The provider still does not answer: the create's own error is the one to report. What it made carries the
            // creation label (and ends with its lifetime, when the request set one).
        }
    }
}
