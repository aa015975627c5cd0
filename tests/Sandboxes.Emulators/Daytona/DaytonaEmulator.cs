using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// Daytona, emulated: the control plane of <c>specs/daytona/api.json</c> and each sandbox's toolbox daemon of
/// <c>specs/daytona/toolbox.json</c> on this emulator's port, plus a proxy (<see cref="ProxyUrl"/>) that plays Daytona's
/// toolbox proxy: it takes <c>/toolbox/{sandboxId}/...</c>, checks the bearer and the sandbox's state, serves the
/// WebSockets itself (PTY, followed logs: no OpenAPI describes them), and forwards the rest to <see cref="ToolboxUpstream"/>
/// (Prism validating against toolbox.json, in tests) with the sandbox named in <see cref="SandboxHeader"/>; it also serves
/// signed preview URLs. Sandboxes run on the local provider; a minute of Daytona's timers lasts <see cref="MinuteLength"/>.
/// </summary>
public sealed partial class DaytonaEmulator : VendorEmulator
{
    /// <summary>The header through which the proxy tells the daemon routes which sandbox a request is for.</summary>
    public const string SandboxHeader = "X-Daytona-Sandbox-Id";

    private readonly ConcurrentDictionary<string, EmulatedSandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EmulatedSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PreviewGrant> _previews = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<JsonObject> _createBodies = new();
    private readonly ConcurrentDictionary<string, JsonObject> _createBodyBySandbox = new(StringComparer.Ordinal);
    private readonly DaytonaProxy _proxy;

    /// <summary>Creates the emulator; call <see cref="VendorEmulator.StartAsync"/>.</summary>
    /// <param name="options">Key, state directory and isolation of the local sandboxes.</param>
    /// <param name="minuteLength">How long a minute of <c>ttlMinutes</c> and the other minute-based timers lasts (one minute by default).</param>
    public DaytonaEmulator(EmulatorOptions options, TimeSpan? minuteLength = null)
        : base(options)
    {
        MinuteLength = minuteLength ?? TimeSpan.FromMinutes(1);
        _proxy = new DaytonaProxy(this);
    }

    /// <summary>How long one of Daytona's minutes lasts here; tests shorten it so lifetimes expire in seconds.</summary>
    public TimeSpan MinuteLength { get; }

    /// <summary>Where the proxy forwards toolbox HTTP requests (this emulator itself unless a validating proxy is put in between).</summary>
    public Uri? ToolboxUpstream { get; set; }

    /// <summary>The proxy's base URL (<c>http://127.0.0.1:PORT/</c>), valid once started.</summary>
    public Uri ProxyUrl => _proxy.BaseUrl;

    /// <summary>A JWT accepted in place of the key, with <c>X-Daytona-Organization-ID</c> naming <see cref="OrganizationId"/>; null accepts none.</summary>
    public string? AcceptedJwt { get; set; }

    /// <summary>The organization the emulated account belongs to.</summary>
    public string OrganizationId => DaytonaWire.OrganizationId;

    /// <summary>The organization's CPU quota (total vCPUs of live sandboxes); null for none.</summary>
    public int? CpuQuota { get; set; }

    /// <summary>
    /// When true, the emulator's own 401s and every injected fault repeat the credential they received in the message, as
    /// careless servers do, so that tests can check the adapter keeps keys out of its errors whatever the server says.
    /// </summary>
    public bool EchoCredentialsInErrors { get; set; }

    /// <summary>
    /// Every deviation seen so far from the documented WebSocket messages (both directions) and from <c>toolbox.json</c> on the
    /// routes Prism cannot relay (<see cref="UnrelayedRoutes"/>).
    /// </summary>
    public IReadOnlyCollection<string> ProtocolViolations => _violations;

    /// <summary>The bodies of every <c>POST /sandbox</c>, as received (to check what an adapter sends).</summary>
    public IReadOnlyCollection<JsonObject> CreateRequests => _createBodies;

    /// <summary>The body of the <c>POST /sandbox</c> that created a sandbox, as received (null for an unknown sandbox).</summary>
    public JsonObject? CreateRequestFor(string sandboxId) => _createBodyBySandbox.GetValueOrDefault(sandboxId);

    /// <summary>The environment variables a sandbox was created with (null for an unknown sandbox).</summary>
    public IReadOnlyDictionary<string, string>? EnvironmentOf(string sandboxId) => _sandboxes.TryGetValue(sandboxId, out var s) ? s.Env : null;

    /// <inheritdoc />
    protected override void ConfigureServices(IServiceCollection services)
    {
        // The proxy and the timers live and die with the emulator's host.
        services.AddSingleton<IHostedService>(_proxy);
        services.AddSingleton<IHostedService>(new DaytonaTimers(this));
    }

    /// <inheritdoc />
    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        MapControlPlane(routes);
        MapDaemon(routes.MapGroup(string.Empty).WithMetadata(DaemonRoute.Instance));
    }

    /// <inheritdoc />
    protected override bool IsAuthorized(HttpRequest request) => IsAuthorizedHeader(request.Headers);

    /// <summary>The bearer check of the control plane, the proxy and the daemon.</summary>
    internal bool IsAuthorizedHeader(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization == "Bearer " + Options.ApiKey)
        {
            return true;
        }

        return AcceptedJwt is { } jwt && authorization == "Bearer " + jwt && headers["X-Daytona-Organization-ID"] == OrganizationId;
    }

    /// <inheritdoc />
    protected override Task WriteUnauthorizedAsync(HttpResponse response) => WriteErrorAsync(response, 401, "Unauthorized");

    /// <summary>The message, with the credential the request carried appended when <see cref="EchoCredentialsInErrors"/> is set.</summary>
    internal string Echo(HttpRequest request, string message)
    {
        var authorization = request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : authorization;
        return EchoCredentialsInErrors ? $"{message} (credential received: {token})" : message;
    }

    /// <inheritdoc />
    protected override Task WriteErrorAsync(HttpResponse response, int status, string message)
    {
        var context = response.HttpContext;
        message = Echo(context.Request, message);
        if (context.GetEndpoint()?.Metadata.GetMetadata<DaemonRoute>() is not null)
        {
            return WriteToolboxErrorAsync(context, status, message);
        }

        response.StatusCode = status;
        return response.WriteAsync(DaytonaWire.ApiError(status, message).ToJsonString());
    }

    /// <summary>A daemon error, as its <c>ErrorResponse</c>.</summary>
    internal static Task WriteToolboxErrorAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        return response.WriteAsync(DaytonaWire.ToolboxError(status, message, context.Request.Path, context.Request.Method).ToJsonString());
    }

    /// <summary>Records a message that breaks the documented shapes.</summary>
    internal void Violation(string problem) => _violations.Enqueue(problem);

    /// <summary>The toolbox proxy URL the control plane hands out.</summary>
    internal string ToolboxProxyUrl => ProxyUrl.AbsoluteUri.TrimEnd('/') + "/toolbox";

    internal EmulatedSandbox? Find(string idOrName) =>
        _sandboxes.TryGetValue(idOrName, out var byId) ? byId : _sandboxes.Values.FirstOrDefault(s => s.Name == idOrName && !s.IsGone);

    internal IEnumerable<EmulatedSandbox> Sandboxes => _sandboxes.Values;

    internal bool TryGetPreview(string key, out PreviewGrant grant) => _previews.TryGetValue(key, out grant!);

    /// <summary>Marks the daemon's endpoints (their errors take the daemon's shape).</summary>
    internal sealed class DaemonRoute
    {
        public static DaemonRoute Instance { get; } = new();
    }

    /// <summary>A signed preview URL's target.</summary>
    internal sealed record PreviewGrant(string SandboxId, int Port, DateTimeOffset ExpiresAt);
}
