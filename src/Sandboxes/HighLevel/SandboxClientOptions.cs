using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sandboxes;

/// <summary>
/// Settings of a <see cref="SandboxClient"/> (and of the static <see cref="Sandbox"/> entry points, through
/// <see cref="Sandbox.Configure(Action{SandboxClientOptions})"/>): the default provider and failover chain, per-provider
/// configuration, resilience, time, logging and HTTP clients. What is left unset here comes from the environment
/// (<c>SANDBOXES_PROVIDER</c>, credential variables) and the configuration file
/// (<c>$XDG_CONFIG_HOME/sandboxes/config.json</c>, or <c>SANDBOXES_CONFIG</c>). Values are checked as they are set,
/// and the options are frozen once a client is built from them.
/// </summary>
public sealed class SandboxClientOptions
{
    private readonly Dictionary<string, ProviderConfig> _providers = new(StringComparer.OrdinalIgnoreCase);
    private string? _defaultProvider;
    private IReadOnlyList<string> _fallback = [];
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private Func<string, HttpClient?>? _httpClientFactory;
    private Func<string, string?> _environmentVariables = Environment.GetEnvironmentVariable;
    private bool _useConfigFile = true;
    private string? _configFilePath;
    private bool _frozen;

    /// <summary>The provider used when a call names none; null to resolve it from the environment, the config file, then auto-detection.</summary>
    public string? DefaultProvider
    {
        get => _defaultProvider;
        set { Guard(); _defaultProvider = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }
    }

    /// <summary>The failover chain used when <see cref="SandboxOptions.Fallback"/> is null. Default empty (no failover).</summary>
    public IReadOnlyList<string> Fallback
    {
        get => _fallback;
        set
        {
            Guard();
            ArgumentNullException.ThrowIfNull(value);
            if (value.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException("A fallback provider name must not be empty.", nameof(value));
            }

            _fallback = value.Select(v => v.Trim()).ToArray();
        }
    }

    /// <summary>Per-provider configuration set in code; it wins over the configuration file's.</summary>
    public IReadOnlyDictionary<string, ProviderConfig> Providers => _providers;

    /// <summary>Retries, circuit breakers and timeouts.</summary>
    public SandboxResilienceOptions Resilience { get; private set; } = new();

    /// <summary>The clock used for delays, timeouts, breaker windows and pool expiry. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set { Guard(); _timeProvider = value ?? throw new ArgumentNullException(nameof(value)); }
    }

    /// <summary>Where the library logs selection, retries, failover, breaker changes and pool activity. Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory
    {
        get => _loggerFactory;
        set { Guard(); _loggerFactory = value ?? throw new ArgumentNullException(nameof(value)); }
    }

    /// <summary>
    /// Supplies the <see cref="HttpClient"/> for a provider (by id), for example from <c>IHttpClientFactory</c>; null, or
    /// a null result, lets the adapter create its own. Ignored for a provider whose <see cref="ProviderConfig.HttpClient"/> is set.
    /// </summary>
    public Func<string, HttpClient?>? HttpClientFactory
    {
        get => _httpClientFactory;
        set { Guard(); _httpClientFactory = value; }
    }

    /// <summary>Reads environment variables (selection and credential detection). Default: the process environment.</summary>
    public Func<string, string?> EnvironmentVariables
    {
        get => _environmentVariables;
        set { Guard(); _environmentVariables = value ?? throw new ArgumentNullException(nameof(value)); }
    }

    /// <summary>True to read the configuration file for what code leaves unset. Default true.</summary>
    public bool UseConfigFile
    {
        get => _useConfigFile;
        set { Guard(); _useConfigFile = value; }
    }

    /// <summary>The configuration file to read; null for <c>SANDBOXES_CONFIG</c>, else <c>$XDG_CONFIG_HOME/sandboxes/config.json</c> (<c>~/.config</c> by default).</summary>
    public string? ConfigFilePath
    {
        get => _configFilePath;
        set { Guard(); _configFilePath = string.IsNullOrWhiteSpace(value) ? null : value; }
    }

    /// <summary>Sets a provider's configuration (credentials, endpoint, provider-specific settings), replacing an earlier one.</summary>
    /// <returns>These options, for chaining.</returns>
    public SandboxClientOptions ConfigureProvider(string provider, ProviderConfig config)
    {
        Guard();
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentNullException.ThrowIfNull(config);
        _providers[provider.Trim()] = config;
        return this;
    }

    /// <summary>True once a client uses these options (they can then no longer change).</summary>
    public bool IsFrozen => _frozen;

    /// <summary>Checks the options as a whole; called when a client is built from them.</summary>
    /// <exception cref="BadConfigException">A provider named here is not registered.</exception>
    public void Validate()
    {
        foreach (var name in _fallback.Concat(_providers.Keys).Concat(_defaultProvider is null ? [] : [_defaultProvider]))
        {
            if (!SandboxProviders.IsRegistered(name))
            {
                throw new BadConfigException(name, $"Unknown provider '{name}' in SandboxClientOptions. Known providers: {string.Join(", ", SandboxProviders.Names)}.");
            }
        }
    }

    /// <summary>Copies these options (unfrozen), for a client that must not share them.</summary>
    public SandboxClientOptions Clone()
    {
        var copy = new SandboxClientOptions
        {
            _defaultProvider = _defaultProvider, _fallback = _fallback, _timeProvider = _timeProvider, _loggerFactory = _loggerFactory,
            _httpClientFactory = _httpClientFactory, _environmentVariables = _environmentVariables, _useConfigFile = _useConfigFile,
            _configFilePath = _configFilePath, Resilience = Resilience.Clone(),
        };
        foreach (var (name, config) in _providers)
        {
            copy._providers[name] = config;
        }

        return copy;
    }

    internal void Freeze()
    {
        _frozen = true;
        Resilience.Freeze();
    }

    private void Guard() => OptionsGuard.ThrowIfFrozen(_frozen, nameof(SandboxClientOptions));
}
