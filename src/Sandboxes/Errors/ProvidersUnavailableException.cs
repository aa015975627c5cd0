namespace Sandboxes;

/// <summary>
/// Every provider of a failover chain failed on its side (unavailable, rate limited, out of quota or circuit open).
/// <see cref="Skipped"/> says, for each, why; the last failure is the inner exception.
/// </summary>
public class ProvidersUnavailableException : SandboxException
{
    /// <summary>Creates the error.</summary>
    /// <param name="skipped">Each provider tried, in order, with why it was passed over.</param>
    /// <param name="innerException">The last provider's failure.</param>
    public ProvidersUnavailableException(IReadOnlyList<SkippedProvider> skipped, Exception? innerException = null)
        : base(skipped is { Count: > 0 } ? skipped[^1].Provider : string.Empty, Describe(skipped), innerException)
    {
        Skipped = skipped ?? [];
    }

    /// <summary>Each provider tried, in order, with the reason it was passed over.</summary>
    public IReadOnlyList<SkippedProvider> Skipped { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;

    private static string Describe(IReadOnlyList<SkippedProvider>? skipped) =>
        "No provider could create the sandbox: " +
        string.Join("; ", (skipped ?? []).Select(s => $"{s.Provider}: {s.Reason}")) + ".";
}
