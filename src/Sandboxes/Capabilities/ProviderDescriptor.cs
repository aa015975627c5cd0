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

    /// <summary>
    /// Environment variables that carry the credentials, in the order they are consulted; any one of them being set counts
    /// as credentials configured. Empty when none are needed.
    /// </summary>
    public IReadOnlyList<string> CredentialVariables { get; init; } = [];

    /// <summary>Configuration keys (in <see cref="ProviderConfig.Extra"/> or config files) that carry credentials.</summary>
    public IReadOnlyList<string> CredentialKeys { get; init; } = [];

    /// <summary>
    /// True when the provider works without credentials but uses them when present (for example Jupyter, which starts its
    /// own server unless <c>JUPYTER_URL</c> and <c>JUPYTER_TOKEN</c> name one).
    /// </summary>
    public bool CredentialsOptional { get; init; }

    /// <summary>Other environment variables the provider reads (base URL overrides, targets, organisation ids).</summary>
    public IReadOnlyList<string> SettingVariables { get; init; } = [];

    /// <summary>Other configuration keys (in <see cref="ProviderConfig.Extra"/>) the provider reads.</summary>
    public IReadOnlyList<string> SettingKeys { get; init; } = [];

    /// <summary>The position of this provider in auto-detection (lower first); null when it is never auto-selected.</summary>
    public int? DetectionOrder { get; init; }

    /// <summary>True when the provider can run without credentials (local engines, or credentials that are optional).</summary>
    public bool NeedsNoCredentials => CredentialsOptional || (CredentialVariables.Count == 0 && CredentialKeys.Count == 0);

    /// <summary>The default API endpoint, or null for local providers.</summary>
    public Uri? DefaultBaseUrl { get; init; }

    /// <summary>The vendor specs the provider's clients are generated from (paths under <c>specs/</c>).</summary>
    public IReadOnlyList<string> Specs { get; init; } = [];

    /// <summary>The capability table.</summary>
    public ProviderCapabilities Capabilities { get; }

    /// <summary>True when credentials for this provider are present in the environment (or it needs none).</summary>
    public bool HasCredentialsInEnvironment() => GetCredentialStatus() != CredentialStatus.Missing;

    /// <summary>Whether credentials for this provider are set in the environment, are not needed, or are missing.</summary>
    /// <param name="environment">Reads an environment variable; null for the process environment (tests pass their own).</param>
    public CredentialStatus GetCredentialStatus(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (CredentialVariables.Any(v => !string.IsNullOrEmpty(environment(v))))
        {
            return CredentialStatus.Configured;
        }

        return NeedsNoCredentials ? CredentialStatus.NotNeeded : CredentialStatus.Missing;
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}
