namespace Sandboxes;

/// <summary>Which provider a call without an explicit one would use, and why.</summary>
/// <param name="Provider">The provider id.</param>
/// <param name="Source">Where the choice came from.</param>
/// <param name="Reason">A sentence saying why, for logs and the CLI (for example <c>E2B_API_KEY is set</c>).</param>
public sealed record ProviderResolution(string Provider, ProviderSource Source, string Reason);
