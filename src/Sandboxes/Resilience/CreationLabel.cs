using Sandboxes.Providers;

namespace Sandboxes;

/// <summary>
/// The label that names one creation. Stamped on the request, it lets the sandbox of a create whose outcome is unknown
/// (its answer lost, its deadline passed, its caller gone) be found afterwards by the provider's own listing, and then
/// adopted or killed: the only trace a provider keeps of a sandbox whose id the client never heard.
/// </summary>
internal static class CreationLabel
{
    /// <summary>The label's key; its value is unique per creation.</summary>
    public const string Key = "sandboxes.creation-id";

    /// <summary>A new creation id.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>The request with the creation label added to its own labels.</summary>
    public static CreateSandboxRequest Stamp(CreateSandboxRequest request, string creationId) =>
        request with { Labels = new Dictionary<string, string>(request.Labels ?? new Dictionary<string, string>()) { [Key] = creationId } };

    /// <summary>
    /// <paramref name="info"/> without the creation label: it is the library's bookkeeping, not a label the user set, so
    /// what users see (create, list, describe) is the labels they gave.
    /// </summary>
    public static SandboxInfo Hide(SandboxInfo info) =>
        info.Labels is { } labels && labels.ContainsKey(Key)
            ? info with { Labels = labels.Where(l => l.Key != Key).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal) }
            : info;

    /// <summary>The sandboxes that carry the creation id, oldest first.</summary>
    public static async Task<List<SandboxInfo>> FindAsync(SandboxProvider provider, string creationId, CancellationToken cancellationToken)
    {
        var filter = new ListSandboxesFilter { Labels = new Dictionary<string, string> { [Key] = creationId } };
        var all = await provider.ListSandboxesAsync(filter, cancellationToken).ConfigureAwait(false);

        // Filtered again here: a vendor's own filtering may be looser.
        return all.Where(filter.Matches).OrderBy(s => s.StartedAt ?? DateTimeOffset.MaxValue).ToList();
    }
}
