using Sandboxes.Http;
using Sandboxes.Providers.E2B.Api;
using Sandboxes.Remote;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.E2B;

/// <summary>
/// E2B: the control plane through the client generated from E2B's <c>openapi.yml</c> (<c>X-API-Key</c>), and the envd
/// agent inside each sandbox over Connect RPC (processes, filesystem) and its HTTP API (file transfer), authenticated
/// with the access token the create or connect response returns. Commands run as E2B's SDKs run them:
/// <c>/bin/bash -l -c COMMAND</c> as the user named in a Basic <c>Authorization</c> header.
/// </summary>
[SandboxProvider(ProviderId)]
internal sealed partial class E2BProvider : RemoteProcessProvider
{
    /// <summary>The provider's registered name.</summary>
    public const string ProviderId = "e2b";

    /// <summary>The User-Agent of every request.</summary>
    public const string UserAgent = "sandboxes-dotnet";

    // Metadata key that carries CreateSandboxRequest.Name: E2B sandboxes have no name of their own.
    private const string NameLabel = "sandboxes.name";

    private readonly E2BOptions _options;
    private readonly HttpClient _http;
    private readonly IE2BApi? _api;
    private readonly EnvdConnections _connections = new();
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Creates the adapter; nothing is contacted until the first call.</summary>
    /// <exception cref="BadConfigException">A URL or a setting is malformed.</exception>
    public E2BProvider(ProviderConfig config)
        : base(config)
    {
        _options = E2BOptions.From(config);
        _http = config.HttpClient ?? ProviderClients.SharedHttpClient;
        if (_options.ApiKey is { } key)
        {
            // The spec's ApiKeyAuth scheme: the key in X-API-Key on every request.
            SecretScrubber.Register(key);
            _api = ProviderClients.For<IE2BApi>(_http, _options.ApiUrl ?? new Uri(IE2BApi.DefaultBaseUrl), ProviderId, E2BJsonContext.Default,
                _options.RequestTimeout, [new("X-API-Key", key), new("User-Agent", UserAgent)]);
        }
    }

    /// <summary>The control plane; a missing key fails here, with what to set.</summary>
    private IE2BApi Api => _api ?? throw new BadConfigException(ProviderId,
        "E2B needs an API key: set ProviderConfig.ApiKey or the E2B_API_KEY environment variable.");

    public override async Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        ValidateEnvironment(request.Envs);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Snapshot is { } snapshot && _snapshotOrigins.TryGetValue(snapshot, out var origin))
        {
            // E2B keeps no labels with a snapshot; those of its source sandbox are carried when this client took it.
            foreach (var (key, value) in origin.Metadata)
            {
                labels[key] = value;
            }
        }

        foreach (var (key, value) in request.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        if (request.Name is { Length: > 0 } name)
        {
            labels[NameLabel] = name;
        }

        var timeout = request.TimeoutSeconds ?? _options.SandboxTimeoutSeconds;
        var body = new NewSandbox
        {
            TemplateID = request.Snapshot ?? request.Template ?? _options.Template,
            Timeout = timeout,
            AutoPause = _options.AutoPause ? true : null,
            Secure = true,
            AllowInternetAccess = InternetAccess(request.Network),
            Metadata = labels.Count == 0 ? null : labels,
            EnvVars = request.Envs is { Count: > 0 } envs ? new Dictionary<string, string>(envs) : null,
        };
        var started = DateTimeOffset.UtcNow;
        var created = await Api.PostSandboxesAsync(body, cancellationToken).ConfigureAwait(false);
        Remember(created);
        return new SandboxInfo
        {
            Id = created.SandboxID,
            Provider = ProviderId,
            Template = created.Alias ?? created.TemplateID,
            Name = request.Name,
            Status = SandboxStatus.Running,
            StartedAt = started,
            ExpiresAt = started.AddSeconds(timeout),
            Labels = WithoutName(labels),
        };
    }

    public override async Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var detail = await DetailAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return Describe(detail.SandboxID, detail.Alias ?? detail.TemplateID, detail.State, detail.StartedAt, detail.EndAt, detail.Metadata,
            detail.CpuCount, detail.MemoryMB);
    }

    public override async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken)
    {
        SandboxState[]? states = filter.Status is not { } status ? null
            : status == SandboxStatus.Running ? [SandboxState.Running]
            : status == SandboxStatus.Paused ? [SandboxState.Paused]
            : [];
        if (states is { Length: 0 })
        {
            // E2B lists running and paused sandboxes only.
            return [];
        }

        var query = filter.Labels is { Count: > 0 } wanted
            ? string.Join("&", wanted.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)))
            : null;
        return await Pagination.CollectAsync(ProviderId, "sandboxes", async (next, remaining, ct) =>
        {
            // A page no larger than what the caller's limit still needs (E2B allows 1 to 100).
            var page = await Api.GetV2SandboxesWithResponseAsync(metadata: query, state: states?.Select(s => s.Value), nextToken: next, limit: Math.Clamp(remaining ?? 100, 1, 100),
                cancellationToken: ct).ConfigureAwait(false);
            var infos = page.Content!.Select(s => Describe(s.SandboxID, s.Alias ?? s.TemplateID, s.State, s.StartedAt, s.EndAt, s.Metadata,
                s.CpuCount, s.MemoryMB));

            // Checked here as well: only what matches may count towards the limit.
            return (infos.Where(filter.Matches), page.Header("X-Next-Token"));
        }, info => info.Id, filter.Limit, cancellationToken).ConfigureAwait(false);
    }

    public override async Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await ForgetSandboxAsync(sandboxId).ConfigureAwait(false);
        _connections.Forget(sandboxId);
        try
        {
            await Api.DeleteSandboxesBySandboxIDAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Already gone: killing is idempotent.
        }
    }

    public override Task SetTimeoutAsync(string sandboxId, int timeoutSeconds, CancellationToken cancellationToken) =>
        Api.PostSandboxesBySandboxIDTimeoutAsync(sandboxId, new SandboxTimeoutRequest { Timeout = timeoutSeconds }, cancellationToken);

    public override async Task PauseAsync(string sandboxId, CancellationToken cancellationToken)
    {
        try
        {
            await Api.PostSandboxesBySandboxIDPauseAsync(sandboxId, new SandboxPauseRequest { Memory = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.StatusCode == 409)
        {
            // 409: already paused (E2B's SDKs read it so too).
        }
    }

    public override async Task ResumeAsync(string sandboxId, CancellationToken cancellationToken)
    {
        // connect resumes a paused sandbox (resume itself is deprecated) and grants it a fresh lifetime.
        var connected = await Api.PostSandboxesBySandboxIDConnectAsync(sandboxId,
            new ConnectSandbox { Timeout = _options.SandboxTimeoutSeconds }, cancellationToken).ConfigureAwait(false);
        Remember(connected);
    }

    public override async Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        var domain = _connections.TryGetValue(sandboxId, out var known)
            ? known.Domain
            : (await DetailAsync(sandboxId, cancellationToken).ConfigureAwait(false)).Domain ?? _options.Domain;
        return new Uri($"https://{port}-{sandboxId}.{(string.IsNullOrEmpty(domain) ? _options.Domain : domain)}/");
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            // The kit first, while envd is still reachable: it closes the stdin this client holds.
            await base.DisposeAsync().ConfigureAwait(false);
            await _disposed.CancelAsync().ConfigureAwait(false);
            await CloseTerminalsAsync().ConfigureAwait(false);
            _connections.Clear();
        }
    }

    /// <summary>The envd of a sandbox: known from its create or connect response, or learned from its description.</summary>
    /// <exception cref="NotFoundException">No such sandbox.</exception>
    /// <exception cref="SandboxStateException">The sandbox is paused: envd does not run until it is resumed.</exception>
    private async ValueTask<EnvdConnection> EnvdAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (_connections.TryGetValue(sandboxId, out var known))
        {
            return known;
        }

        var detail = await DetailAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        if (detail.State == SandboxState.Paused)
        {
            throw Paused(sandboxId);
        }

        var connection = new EnvdConnection(detail.SandboxID, detail.EnvdVersion, detail.EnvdAccessToken, detail.Domain, _options, _http);
        return _connections.GetOrAdd(connection);
    }

    /// <summary>
    /// Runs an envd operation, explaining a failure the way E2B's SDKs do: envd answers 502 through E2B's proxy when its
    /// sandbox no longer runs, so the sandbox is looked up to tell a killed one (not found) from a paused one.
    /// </summary>
    private async Task<T> OnEnvdAsync<T>(string sandboxId, Func<EnvdConnection, Task<T>> operation, CancellationToken cancellationToken)
    {
        var connection = await EnvdAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation(connection).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.StatusCode is 502 or null && !cancellationToken.IsCancellationRequested)
        {
            throw await ExplainUnreachableAsync(sandboxId, e, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task OnEnvdAsync(string sandboxId, Func<EnvdConnection, Task> operation, CancellationToken cancellationToken) =>
        OnEnvdAsync(sandboxId, async c =>
        {
            await operation(c).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>The error to raise when envd could not serve a sandbox: not found, paused, or the original one.</summary>
    private async Task<SandboxException> ExplainUnreachableAsync(string sandboxId, SandboxException error, CancellationToken cancellationToken)
    {
        try
        {
            var detail = await Api.GetSandboxesBySandboxIDAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            if (detail.State == SandboxState.Paused)
            {
                _connections.Forget(sandboxId);
                return Paused(sandboxId);
            }
        }
        catch (NotFoundException)
        {
            _connections.Forget(sandboxId);
            return new NotFoundException(ProviderId, $"The sandbox {sandboxId} does not exist (it was killed or its lifetime ended).", error);
        }
        catch (SandboxException)
        {
            // The API cannot say either: report what envd said.
        }

        return error;
    }

    private async Task<SandboxDetail> DetailAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(sandboxId) || !IsSandboxId(sandboxId))
        {
            throw new NotFoundException(ProviderId, $"'{sandboxId}' is not an E2B sandbox id.");
        }

        return await Api.GetSandboxesBySandboxIDAsync(sandboxId, cancellationToken).ConfigureAwait(false);
    }

    private void Remember(Api.Sandbox sandbox)
    {
        var connection = new EnvdConnection(sandbox.SandboxID, sandbox.EnvdVersion, sandbox.EnvdAccessToken, sandbox.Domain, _options, _http);
        _connections.Set(connection);
    }

    private static SandboxInfo Describe(string id, string template, SandboxState state, DateTimeOffset startedAt, DateTimeOffset endAt,
        Dictionary<string, string>? metadata, int cpus, int memoryMb)
    {
        var labels = metadata ?? new Dictionary<string, string>();
        return new SandboxInfo
        {
            Id = id,
            Provider = ProviderId,
            Template = template,
            Name = labels.GetValueOrDefault(NameLabel),
            Status = state == SandboxState.Paused ? SandboxStatus.Paused : SandboxStatus.Running,
            StartedAt = startedAt,
            ExpiresAt = endAt,
            Labels = WithoutName(labels),
            Cpus = cpus,
            MemoryMb = memoryMb,
        };
    }

    private static Dictionary<string, string> WithoutName(IReadOnlyDictionary<string, string> labels) =>
        labels.Where(p => p.Key != NameLabel).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static bool? InternetAccess(NetworkPolicy? policy) => policy switch
    {
        null => null,
        NetworkPolicy.None => false,
        NetworkPolicy.Internet => true,
        _ => throw new FeatureNotSupportedException(ProviderId, Capability.NetworkPolicy,
            "NetworkPolicy.All is not available: an E2B sandbox runs on E2B's machines and has no host network to share; use NetworkPolicy.Internet."),
    };

    private static SandboxStateException Paused(string sandboxId) =>
        new(ProviderId, sandboxId, SandboxStatus.Paused, $"The sandbox {sandboxId} is paused; resume it first (Sandbox.Resume).");

    private static void ValidateEnvironment(IReadOnlyDictionary<string, string>? env)
    {
        foreach (var key in env?.Keys ?? [])
        {
            if (!ShellQuote.IsVariableName(key))
            {
                throw new BadConfigException(ProviderId, $"'{key}' is not a valid environment variable name.");
            }
        }
    }

    // Sandbox ids are host-name labels (they are part of envd's host): anything else cannot name a sandbox.
    private static bool IsSandboxId(string id) => id.Length <= 63 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
