using System.Collections.Concurrent;
using Sandboxes.Http;
using Sandboxes.Providers.Daytona.Api;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Daytona;

/// <summary>
/// Daytona cloud sandboxes: the control plane (<c>specs/daytona/api.json</c>) creates, lists, pauses, snapshots and deletes
/// sandboxes; the toolbox API of each sandbox (<c>specs/daytona/toolbox.json</c>), reached through its toolbox proxy URL,
/// runs commands, moves files and opens terminals. Both clients are generated from Daytona's published specs; this class
/// holds only the mapping they cannot express. Labels are Daytona labels (never environment variables).
/// </summary>
[SandboxProvider(ProviderId)]
internal sealed partial class DaytonaProvider : RemoteProcessProvider
{
    /// <summary>The provider's registered name.</summary>
    public const string ProviderId = "daytona";

    /// <summary>
    /// The SDK version announced to the toolbox. The daemon chooses its log format by it: from 0.167 on it keeps stdout and
    /// stderr apart (a JSON answer, labelled log streams). 0.205.1 is the SDK release the specs in specs/daytona belong to.
    /// </summary>
    internal const string ProtocolSdkVersion = "0.205.1";

    // The adapter's life: open, then releasing while the kit lets go of what it holds in sandboxes (which takes the
    // toolbox), then disposed.
    private const int StateOpen = 0;
    private const int StateReleasing = 1;
    private const int StateDisposed = 2;

    private readonly DaytonaOptions _options;
    private readonly HttpClient _http;
    private IDaytonaApi? _api;
    private readonly ConcurrentDictionary<string, ToolboxEndpoint> _toolboxes = new(StringComparer.Ordinal);
    private int _state;

    /// <summary>Creates the adapter; nothing is contacted until the first call.</summary>
    /// <exception cref="BadConfigException">No credentials, or a malformed setting.</exception>
    public DaytonaProvider(ProviderConfig config)
        : base(config)
    {
        _options = DaytonaOptions.From(config);
        SecretScrubber.Register(_options.Token);
        _http = config.HttpClient ?? ProviderClients.SharedHttpClient;
    }

    /// <summary>The control plane's client, made at the first call (so that a client without credentials can be created and described).</summary>
    /// <exception cref="BadConfigException">No credentials are configured.</exception>
    private IDaytonaApi Api => LazyInitializer.EnsureInitialized(ref _api, () =>
    {
        // The spec's bearer scheme: the token in Authorization on every control-plane request.
        var headers = SdkHeaders();
        headers["Authorization"] = "Bearer " + _options.RequireToken();
        return ProviderClients.For<IDaytonaApi>(_http, _options.ApiUrl, ProviderId, DaytonaJsonContext.Default,
            Config.DefaultTimeout, headers);
    });

    /// <summary>The organization header's value for every control-plane call (null sends none).</summary>
    private string? Organization => _options.OrganizationId;

    public override async Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var body = await DaytonaCreateRequest.BuildAsync(request, _options, SnapshotLabelsAsync, cancellationToken).ConfigureAwait(false);
        Api.Sandbox created;
        try
        {
            created = await Api.CreateSandboxAsync(body, Organization, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException error)
        {
            throw DaytonaErrors.Refine(error);
        }

        Remember(created);
        try
        {
            var started = await WaitForStateAsync(created, s => s == SandboxState.Started, "start", cancellationToken).ConfigureAwait(false);
            return DaytonaSandboxInfo.From(started);
        }
        catch
        {
            // A sandbox that failed to start, or whose start was cancelled, is not left behind.
            await DeleteQuietlyAsync(created.Id).ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var sandbox = await GetExistingAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return DaytonaSandboxInfo.From(sandbox);
    }

    public override async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken)
    {
        // Daytona filters on labels itself (a JSON object in the query); the status is checked here.
        var labels = filter.Labels is { Count: > 0 } wanted ? DaytonaJson.Labels(wanted) : null;
        return await Pagination.CollectAsync(ProviderId, "sandboxes", async (cursor, _, ct) =>
        {
            // Full pages whatever the limit: the status is filtered here, so a page may keep fewer than it brings.
            var page = await Api.ListSandboxesAsync(Organization, cursor, limit: 100, labels: labels, cancellationToken: ct).ConfigureAwait(false);
            return (page.Items.Select(DaytonaSandboxInfo.From).Where(filter.Matches), page.NextCursor);
        }, info => info.Id, filter.Limit, cancellationToken).ConfigureAwait(false);
    }

    public override async Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        try
        {
            await Api.DeleteSandboxAsync(sandboxId, Organization, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Already gone: killing is idempotent.
        }

        await ForgetSandboxAsync(sandboxId).ConfigureAwait(false);
        _toolboxes.TryRemove(sandboxId, out _);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.CompareExchange(ref _state, StateReleasing, StateOpen) != StateOpen)
        {
            return;
        }

        try
        {
            // The kit first, while the toolbox still answers: its stdin writers and context connections are processes in
            // toolbox sessions, which it deletes as it lets them go.
            await base.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _state, StateDisposed);
        }
    }

    /// <summary>A sandbox that exists (a destroyed one counts as gone).</summary>
    private async Task<Api.Sandbox> GetExistingAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(sandboxId))
        {
            throw new NotFoundException(ProviderId, "A sandbox id is required.");
        }

        var sandbox = await Api.GetSandboxAsync(sandboxId, Organization, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (sandbox.State is { } state && (state == SandboxState.Destroyed || state == SandboxState.Destroying))
        {
            throw new NotFoundException(ProviderId, $"Daytona sandbox {sandboxId} has been deleted.");
        }

        Remember(sandbox);
        return sandbox;
    }

    /// <summary>
    /// Polls the sandbox until <paramref name="reached"/> holds, as the SDKs wait after create, start and pause. An error
    /// state fails with Daytona's reason; <see cref="DaytonaOptions.StateTimeout"/> bounds the wait.
    /// </summary>
    private async Task<Api.Sandbox> WaitForStateAsync(Api.Sandbox sandbox, Func<SandboxState, bool> reached, string action, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _options.StateTimeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var state = sandbox.State ?? SandboxState.Unknown;
            if (reached(state))
            {
                return sandbox;
            }

            if (state == SandboxState.Error || state == SandboxState.BuildFailed)
            {
                throw new ProviderException(ProviderId,
                    $"Daytona sandbox {sandbox.Id} failed to {action}: {sandbox.State} ({sandbox.ErrorReason ?? "no reason given"}).");
            }

            if (state == SandboxState.Destroyed)
            {
                throw new NotFoundException(ProviderId, $"Daytona sandbox {sandbox.Id} was deleted while waiting for it to {action}.");
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new SandboxTimeoutException(ProviderId,
                    $"Daytona sandbox {sandbox.Id} did not {action} within {_options.StateTimeout.TotalSeconds:0} s (state {state}).", _options.StateTimeout);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 2));
            sandbox = await Api.GetSandboxAsync(sandbox.Id, Organization, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteQuietlyAsync(string sandboxId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await KillSandboxAsync(sandboxId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SandboxException or OperationCanceledException)
        {
            // The original failure matters more; the sandbox's own TTL or auto-delete reaps it otherwise.
        }
    }

    /// <summary>Headers Daytona's SDKs send with every request; the daemon reads the version to pick its wire format.</summary>
    private static Dictionary<string, string> SdkHeaders() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["X-Daytona-Source"] = "sandboxes-dotnet",
        ["X-Daytona-SDK-Version"] = ProtocolSdkVersion,
    };
}
