namespace Sandboxes;

/// <summary>
/// Decides which provider a call uses and with which configuration; <see cref="SandboxClient"/>, the CLI and any tool
/// built on the library resolve through it. Order: the call's own choice; the default set in code;
/// <c>SANDBOXES_PROVIDER</c>; the config file's <c>defaultProvider</c>; auto-detection over the registered providers in
/// their tables' detection order, the first whose credentials are present; and last the provider that needs none
/// (<c>local</c>).
/// </summary>
public sealed class ProviderResolver
{
    /// <summary>The environment variable naming the default provider.</summary>
    public const string ProviderVariable = "SANDBOXES_PROVIDER";

    private readonly SandboxClientOptions _options;
    private readonly Lazy<SandboxConfigFile> _file;

    /// <summary>A resolver over <paramref name="options"/>: its default provider, its providers' settings, its
    /// environment and its config file (read on first need, unless <see cref="SandboxClientOptions.UseConfigFile"/> is off).</summary>
    public ProviderResolver(SandboxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _file = new Lazy<SandboxConfigFile>(() => options.UseConfigFile
            ? SandboxConfigFile.Load(options.ConfigFilePath ?? SandboxConfigFile.DefaultPath(options.EnvironmentVariables))
            : SandboxConfigFile.Empty);
    }

    /// <summary>A resolver over the process environment and the default config file (what the CLI uses).</summary>
    public static ProviderResolver CreateDefault() => new(new SandboxClientOptions());

    /// <summary>The configuration file in use (read once, on first need).</summary>
    public SandboxConfigFile File => _file.Value;

    /// <summary>The failover chain used when a call gives none: code's, else the config file's.</summary>
    public IReadOnlyList<string> DefaultFallback => _options.Fallback.Count > 0 ? _options.Fallback : File.Fallback;

    /// <summary>Resolves the provider for a call; <paramref name="requested"/> is the call's own choice, if any.</summary>
    /// <exception cref="BadConfigException">A named provider is not registered, or no provider is usable.</exception>
    public ProviderResolution Resolve(string? requested = null)
    {
        if (!string.IsNullOrWhiteSpace(requested))
        {
            return Known(new ProviderResolution(requested.Trim(), ProviderSource.Explicit, "named by the call"), "the call");
        }

        if (_options.DefaultProvider is { } configured)
        {
            return Known(new ProviderResolution(configured, ProviderSource.Configured, "the default set in code"), "SandboxClientOptions.DefaultProvider");
        }

        if (_options.EnvironmentVariables(ProviderVariable) is { Length: > 0 } fromEnvironment)
        {
            return Known(new ProviderResolution(fromEnvironment.Trim(), ProviderSource.Environment, $"{ProviderVariable} is set"), ProviderVariable);
        }

        if (File.DefaultProvider is { } fromFile)
        {
            return Known(new ProviderResolution(fromFile, ProviderSource.ConfigFile, $"defaultProvider in {File.Path}"), File.Path!);
        }

        return AutoDetect();
    }

    /// <summary>The configuration for a provider: set in code, else from the config file, else empty (the adapter reads its variables).</summary>
    public ProviderConfig GetConfig(string provider)
    {
        if (_options.Providers.TryGetValue(provider, out var fromCode))
        {
            return fromCode;
        }

        return File.Providers.TryGetValue(provider, out var fromFile) ? fromFile : new ProviderConfig();
    }

    /// <summary>Why a provider has credentials (a sentence), or null when it has none and needs them.</summary>
    public string? CredentialSource(ProviderDescriptor descriptor)
    {
        if (descriptor.CredentialVariables.FirstOrDefault(v => !string.IsNullOrEmpty(_options.EnvironmentVariables(v))) is { } variable)
        {
            return $"{variable} is set";
        }

        var config = GetConfig(descriptor.Id);
        var inCode = _options.Providers.ContainsKey(descriptor.Id);
        if (!string.IsNullOrEmpty(config.ApiKey) || descriptor.CredentialKeys.Any(k => !string.IsNullOrEmpty(config.GetExtra(k))))
        {
            return inCode ? "credentials set in code" : $"credentials in {File.Path}";
        }

        return descriptor.NeedsNoCredentials ? "needs no credentials" : null;
    }

    private ProviderResolution AutoDetect()
    {
        var candidates = SandboxProviders.All.Where(d => d.DetectionOrder is not null).ToList();
        foreach (var descriptor in candidates.Where(d => !d.NeedsNoCredentials))
        {
            if (CredentialSource(descriptor) is { } why)
            {
                return new ProviderResolution(descriptor.Id, ProviderSource.AutoDetected, why);
            }
        }

        if (candidates.FirstOrDefault(d => d.NeedsNoCredentials) is { } lastResort)
        {
            var looked = candidates.Where(d => !d.NeedsNoCredentials).SelectMany(d => d.CredentialVariables).ToList();
            var reason = looked.Count == 0
                ? $"no cloud provider is registered; {lastResort.Id} needs no credentials"
                : $"none of {string.Join(", ", looked)} is set; {lastResort.Id} needs no credentials";
            return new ProviderResolution(lastResort.Id, ProviderSource.LastResort, reason);
        }

        throw new BadConfigException(string.Empty,
            "No provider is usable: none has credentials in the environment and none works without. Set a provider's credential variable, " +
            $"{ProviderVariable}, or Sandbox.Configure(o => o.DefaultProvider = ...).");
    }

    private static ProviderResolution Known(ProviderResolution resolution, string where)
    {
        if (!SandboxProviders.IsRegistered(resolution.Provider))
        {
            throw new BadConfigException(resolution.Provider,
                $"Unknown provider '{resolution.Provider}' (from {where}). Known providers: {string.Join(", ", SandboxProviders.Names)}.");
        }

        // The registry's own spelling, so "E2B" and "e2b" are one provider everywhere downstream.
        return resolution with { Provider = SandboxProviders.Describe(resolution.Provider).Id };
    }
}
