namespace Sandboxes;

/// <summary>
/// How the provider of a sandbox was chosen: the one that served it, where that choice came from, and every provider
/// of the failover chain that was passed over before it, with the reason.
/// </summary>
public sealed record ProviderSelection
{
    /// <summary>The provider that created the sandbox.</summary>
    public required string Provider { get; init; }

    /// <summary>Where the choice came from; <see cref="ProviderSource.Fallback"/> when earlier providers failed.</summary>
    public required ProviderSource Source { get; init; }

    /// <summary>Why the first provider of the chain was chosen (see <see cref="ProviderResolution.Reason"/>).</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The providers tried before <see cref="Provider"/>, in order, each with the reason it was passed over.</summary>
    public IReadOnlyList<SkippedProvider> Skipped { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() =>
        Skipped.Count == 0
            ? $"{Provider} ({Source}: {Reason})"
            : $"{Provider} after skipping " + string.Join(", ", Skipped.Select(s => $"{s.Provider} ({s.Reason})"));
}
