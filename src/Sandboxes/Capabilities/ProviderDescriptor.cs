namespace Sandboxes;

/// <summary>
/// What the library knows about a provider without contacting it: its name, how credentials are found, its default
/// endpoint, the specs it is generated from and its capability table. Produced at build time from
/// <c>specs/&lt;provider&gt;/provider.json</c>.
/// </summary>
public sealed class ProviderDescriptor
{
    /// <summary>Creates a descriptor.</summary>
    public ProviderDescriptor(string id, string displayName, IEnumerable<CapabilityEntry> capabilities)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? id : displayName;
        Capabilities = new ProviderCapabilities(id, capabilities);
    }

    /// <summary>The name users pass to <see cref="Sandboxer"/> (case-insensitive), for example <c>e2b</c>.</summary>
    public string Id { get; }

    /// <summary>A human-readable name, for example <c>E2B</c>.</summary>
    public string DisplayName { get; }

    /// <summary>A one-line description.</summary>
    public string? Description { get; init; }

    /// <summary>Environment variables that carry the credentials, in the order they are consulted; empty when none are needed.</summary>
    public IReadOnlyList<string> CredentialVariables { get; init; } = [];

    /// <summary>Configuration keys (in <see cref="ProviderConfig.Extra"/> or config files) that carry credentials.</summary>
    public IReadOnlyList<string> CredentialKeys { get; init; } = [];

    /// <summary>Other environment variables the provider reads (base URL overrides, targets, organisation ids).</summary>
    public IReadOnlyList<string> SettingVariables { get; init; } = [];

    /// <summary>The position of this provider in auto-detection (lower first); null when it is never auto-selected.</summary>
    public int? DetectionOrder { get; init; }

    /// <summary>True when the provider needs no credentials at all (local engines).</summary>
    public bool NeedsNoCredentials => CredentialVariables.Count == 0 && CredentialKeys.Count == 0;

    /// <summary>The default API endpoint, or null for local providers.</summary>
    public Uri? DefaultBaseUrl { get; init; }

    /// <summary>The vendor specs the provider's clients are generated from (paths under <c>specs/</c>).</summary>
    public IReadOnlyList<string> Specs { get; init; } = [];

    /// <summary>The capability table.</summary>
    public ProviderCapabilities Capabilities { get; }

    /// <summary>True when credentials for this provider are present in the environment (or it needs none).</summary>
    public bool HasCredentialsInEnvironment() =>
        NeedsNoCredentials || CredentialVariables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));

    /// <inheritdoc />
    public override string ToString() => Id;
}
