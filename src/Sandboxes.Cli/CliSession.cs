using Sandboxes.Cli.Output;

namespace Sandboxes.Cli;

/// <summary>
/// What one run of the tool talks to: a <see cref="SandboxClient"/> configured from the environment and the config file
/// (so the library's provider resolution, failover, presets and resilience all apply), the provider the user asked for
/// (<c>-p</c>, or none), and the spinner shown while sandboxes are created.
/// </summary>
internal sealed class CliSession : IAsyncDisposable
{
    private readonly string? _requested;
    private readonly ProgressLog _log;
    private readonly ProviderResolver _resolver;

    private CliSession(string? requested, bool quiet)
    {
        _requested = string.IsNullOrWhiteSpace(requested) ? null : requested.Trim();
        _log = new ProgressLog { Quiet = quiet };
        var options = new SandboxClientOptions { LoggerFactory = _log };
        Client = new SandboxClient(options);
        _resolver = new ProviderResolver(options);
        Quiet = quiet;
    }

    /// <summary>The high-level client every verb goes through.</summary>
    public SandboxClient Client { get; }

    /// <summary>True with <c>--quiet</c>: no progress, no notes.</summary>
    public bool Quiet { get; }

    /// <summary>The logger given to the library; progress spinners subscribe to it.</summary>
    public ProgressLog Log => _log;

    /// <summary>True when the user named a provider with <c>-p</c>.</summary>
    public bool ProviderGiven => _requested is not null;

    /// <summary>The configuration file in use, or null when there is none.</summary>
    public string? ConfigFilePath => _resolver.File.Path;

    /// <summary>Opens a session for the provider named by <c>-p</c> (null: resolve it as the library does).</summary>
    public static CliSession Open(string? provider, bool quiet = false) => new(provider, quiet);

    /// <summary>The provider a call without its own choice uses, and why.</summary>
    /// <exception cref="BadConfigException">The provider is unknown.</exception>
    public ProviderResolution Resolve() => Client.ResolveProvider(_requested);

    /// <summary>Why a provider has credentials (a sentence that never contains them), or null when it needs some and has none.</summary>
    public string? CredentialSource(ProviderDescriptor descriptor) => _resolver.CredentialSource(descriptor);

    /// <summary>
    /// Whether a provider's credentials are here: a credential variable set, or a key in the config file (or in code),
    /// makes it configured, even for a provider whose credentials are optional.
    /// </summary>
    public CredentialStatus CredentialStatus(ProviderDescriptor descriptor)
    {
        if (descriptor.GetCredentialStatus() == Sandboxes.CredentialStatus.Configured)
        {
            return Sandboxes.CredentialStatus.Configured;
        }

        var config = _resolver.GetConfig(descriptor.Id);
        if (!string.IsNullOrEmpty(config.ApiKey) || descriptor.CredentialKeys.Any(k => !string.IsNullOrEmpty(config.GetExtra(k))))
        {
            return Sandboxes.CredentialStatus.Configured;
        }

        return descriptor.NeedsNoCredentials ? Sandboxes.CredentialStatus.NotNeeded : Sandboxes.CredentialStatus.Missing;
    }

    /// <summary>The protocol client for a provider (null: the resolved one), after checking that its credentials are there.</summary>
    /// <exception cref="BadConfigException">Unknown provider, or its credentials are missing (the message names the variable to set).</exception>
    public Sandboxer Sandboxer(string? provider = null)
    {
        var id = provider ?? Resolve().Provider;
        RequireCredentials(id);
        return Client.GetSandboxer(id);
    }

    /// <summary>Fails with a message naming the variable to set when <paramref name="provider"/> needs credentials and has none.</summary>
    public void RequireCredentials(string provider)
    {
        var descriptor = SandboxProviders.Describe(provider);
        if (CredentialSource(descriptor) is not null)
        {
            return;
        }

        var where = ConfigFilePath ?? SandboxConfigFile.DefaultPath(Environment.GetEnvironmentVariable);
        throw new BadConfigException(descriptor.Id,
            $"{descriptor.DisplayName} needs credentials: set {string.Join(" or ", descriptor.CredentialVariables)}, " +
            $"or \"apiKey\" under providers.{descriptor.Id} in {where}.");
    }

    /// <summary>
    /// The providers a verb without <c>-p</c> covers (<c>list</c>, <c>destroy --all</c>, <c>test</c>, finding a sandbox by id):
    /// the resolved default first, then every auto-detected provider with credentials here, then any other provider the
    /// user configured (a section in the config file, or one of its variables set). With <c>-p</c>, just that one.
    /// </summary>
    public IReadOnlyList<string> Scope()
    {
        var first = Resolve().Provider;
        var scope = new List<string> { first };
        if (ProviderGiven)
        {
            return scope;
        }

        foreach (var descriptor in SandboxProviders.All.OrderBy(d => d.DetectionOrder ?? int.MaxValue).ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            if (scope.Contains(descriptor.Id, StringComparer.OrdinalIgnoreCase) || CredentialSource(descriptor) is null)
            {
                continue;
            }

            // Providers outside auto-detection (a Docker engine, a Jupyter server) count only when the user pointed at one:
            // listing must never start a server or dial a socket nobody configured.
            var configured = _resolver.File.Providers.ContainsKey(descriptor.Id)
                || descriptor.SettingVariables.Concat(descriptor.CredentialVariables).Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));
            if (descriptor.DetectionOrder is not null || configured)
            {
                scope.Add(descriptor.Id);
            }
        }

        return scope;
    }

    /// <summary>
    /// Attaches to a sandbox by id: on the <c>-p</c> provider, else on the default one, else on the first other provider
    /// in <see cref="Scope"/> that knows it. The handle never kills the sandbox.
    /// </summary>
    /// <exception cref="NotFoundException">No provider in scope has that sandbox.</exception>
    public async Task<Sandbox> AttachAsync(string id, CancellationToken cancellationToken)
    {
        NotFoundException? first = null;
        foreach (var provider in Scope())
        {
            try
            {
                return await Sandboxer(provider).AttachSandboxAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (NotFoundException e) when (!ProviderGiven)
            {
                first ??= e;
            }
        }

        throw first ?? new NotFoundException(string.Empty, $"No sandbox has the id '{id}'.");
    }

    /// <summary>Creates a sandbox as <paramref name="options"/> say, under a spinner that follows the preset's setup.</summary>
    public Task<Sandbox> CreateAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        var provider = options.Provider ?? Resolve().Provider;
        RequireCredentials(provider);
        var what = options.Preset is { } preset ? $"Creating a {preset} sandbox on {provider}" : $"Creating a sandbox on {provider}";
        return Progress.RunAsync(what, Quiet, _log, _ => Client.CreateAsync(options with { Provider = provider }, cancellationToken));
    }

    /// <summary>
    /// The running sandbox carrying all <paramref name="labels"/>, or a new kept one with them (see
    /// <see cref="SandboxClient.GetOrCreateAsync"/>); <c>Created</c> says which.
    /// </summary>
    public async Task<(Sandbox Sandbox, bool Created)> GetOrCreateAsync(IReadOnlyDictionary<string, string> labels, SandboxOptions options,
        CancellationToken cancellationToken)
    {
        var provider = options.Provider ?? Resolve().Provider;
        RequireCredentials(provider);
        if (await Client.FindAsync(labels, provider, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return (found, false);
        }

        var what = options.Preset is { } preset ? $"Creating a {preset} sandbox on {provider}" : $"Creating a sandbox on {provider}";
        var sandbox = await Progress.RunAsync(what, Quiet, _log,
            _ => Client.GetOrCreateAsync(labels, options with { Provider = provider }, cancellationToken)).ConfigureAwait(false);
        return (sandbox, true);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
