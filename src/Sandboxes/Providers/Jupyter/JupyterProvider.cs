using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Sandboxes.CodeExecution;
using Sandboxes.Isolation;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// A Jupyter Server as a provider: each sandbox is a kernel; commands come from the remote-process kit, whose processes
/// the kernel launches (through an agent module it is given), files go through the contents API, terminals through the
/// terminals API, and Python code contexts are more kernels. Without <c>JUPYTER_URL</c> the provider starts its own server on 127.0.0.1 (jailed with bubblewrap when it
/// can be), shared by the clients of this process and stopped with the last of them.
/// </summary>
[SandboxProvider(ProviderId)]
internal sealed partial class JupyterProvider : RemoteProcessProvider
{
    /// <summary>The provider's registered name.</summary>
    public const string ProviderId = "jupyter";

    private const string ContextSessionType = "sandboxes-context";
    private const string SandboxSessionType = "sandboxes-sandbox";
    private static readonly TimeSpan KernelReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly JupyterOptions _options;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private readonly ConcurrentDictionary<string, Lazy<Task<KernelAgent>>> _agents = new(StringComparer.Ordinal);
    private readonly ProcessCodeContexts _emulatedContexts;
    private Server? _server;
    private int _disposed;

    /// <summary>Creates the adapter; the server is started or reached on first use.</summary>
    /// <exception cref="BadConfigException">The URL or a setting is invalid.</exception>
    public JupyterProvider(ProviderConfig config)
        : base(config)
    {
        _options = JupyterOptions.From(config);
        _emulatedContexts = new ProcessCodeContexts(this, new KernelContextRegistry(AgentAsync));
    }

    public override async Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        ValidateEnvironment(request.Envs);
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        var kernelName = request.Template ?? _options.KernelName;
        var kernel = await StartSandboxKernelAsync(server, kernelName, cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        try
        {
            var agent = await AgentAsync(kernel.Id, cancellationToken).ConfigureAwait(false);
            await agent.CallAsync("configure", w =>
            {
                w.WriteString("kernel_id", kernel.Id);
                if (server.Paths is { } paths)
                {
                    w.WriteString("workspace", paths.Workspace);
                }

                w.WriteStartObject("env");
                foreach (var (key, value) in request.Envs ?? new Dictionary<string, string>())
                {
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
                w.WriteString("created", created.ToString("O", CultureInfo.InvariantCulture));
            }, cancellationToken).ConfigureAwait(false);
            return Describe(kernel, created);
        }
        catch
        {
            // A failed or cancelled create leaves no kernel behind.
            await ForgetKernelAsync(kernel.Id).ConfigureAwait(false);
            await server.Rest.DeleteKernelAsync(kernel.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts a sandbox's kernel through a session named by a fresh creation id, because kernels carry no name or label
    /// of their own: if the answer is lost (a 502 from a proxy, a dropped connection, a deadline), that name is how the
    /// kernel the server started anyway is found and shut down, instead of running on unseen. The session's path is a
    /// file that does not exist in the kernel directory, so the kernel starts in that directory, as before.
    /// </summary>
    private static async Task<JupyterKernel> StartSandboxKernelAsync(Server server, string kernelName, CancellationToken cancellationToken)
    {
        var creation = "sandbox-" + Nonce.New();
        var path = server.KernelPath.Length == 0 ? creation : server.KernelPath.TrimEnd('/') + "/" + creation;
        try
        {
            var session = await server.Rest.CreateSessionAsync(path, creation, SandboxSessionType, kernelName, cancellationToken).ConfigureAwait(false);
            return session.Kernel ?? throw new ProviderException(ProviderId, $"The Jupyter server started session {session.Id} without a kernel.");
        }
        catch (Exception e) when (FailureClassifier.OutcomeUnknown(e))
        {
            await ShutDownCreationAsync(server, creation).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Shuts down whatever a create whose outcome is unknown started, found by its session's name, as far as the server answers.</summary>
    private static async Task ShutDownCreationAsync(Server server, string creation)
    {
        // Bounded on its own: the create's token may be the one that gave up.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var sessions = await server.Rest.ListSessionsAsync(deadline.Token).ConfigureAwait(false);
            foreach (var session in sessions.Where(s => s.Type == SandboxSessionType && s.Name == creation))
            {
                await server.Rest.DeleteSessionAsync(session.Id, deadline.Token).ConfigureAwait(false); // its kernel ends with it
            }
        }
        catch (Exception e) when (e is SandboxException or OperationCanceledException or HttpRequestException)
        {
            // The server still does not answer: the create's own error is the one to report.
        }
    }

    public override async Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        var kernel = IsKernelId(sandboxId) ? await server.Rest.GetKernelAsync(sandboxId, cancellationToken).ConfigureAwait(false) : null;
        return kernel is null
            ? throw new NotFoundException(ProviderId, $"The Jupyter server has no kernel '{sandboxId}'.")
            : Describe(kernel, await CreatedAsync(kernel.Id, cancellationToken).ConfigureAwait(false));
    }

    public override async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        var kernels = await server.Rest.ListKernelsAsync(cancellationToken).ConfigureAwait(false);
        var contextKernels = (await server.Rest.ListSessionsAsync(cancellationToken).ConfigureAwait(false))
            .Where(s => s.Type == ContextSessionType).Select(s => s.KernelId).ToHashSet(StringComparer.Ordinal);
        return kernels.Where(k => !contextKernels.Contains(k.Id))
            .Select(k => Describe(k, null))
            .Where(filter.Matches)
            .ToList();
    }

    public override async Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (!IsKernelId(sandboxId))
        {
            return;
        }

        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        foreach (var session in await ContextSessionsAsync(server, sandboxId, cancellationToken).ConfigureAwait(false))
        {
            await server.Rest.DeleteSessionAsync(session.Id, cancellationToken).ConfigureAwait(false);
        }

        await KillTerminalsAsync(sandboxId).ConfigureAwait(false);
        await _emulatedContexts.ForgetAsync(sandboxId).ConfigureAwait(false);
        await ForgetSandboxAsync(sandboxId).ConfigureAwait(false);
        try
        {
            // Processes run in sessions of their own, which the kernel's end would not reach: the agent kills every one
            // that carries the sandbox's id.
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var agent = await AgentAsync(sandboxId, shutdown.Token).ConfigureAwait(false);
            await agent.CallAsync("shutdown", null, shutdown.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SandboxException or OperationCanceledException)
        {
            // Gone already, or unresponsive: deleting the kernel is what matters.
        }

        await ForgetKernelAsync(sandboxId).ConfigureAwait(false);
        await server.Rest.DeleteKernelAsync(sandboxId, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _emulatedContexts.DisposeAsync().ConfigureAwait(false);
        await DisposeTerminalsAsync().ConfigureAwait(false);

        // The kit first: its writers to kept stdin are processes the agents still serve.
        await base.DisposeAsync().ConfigureAwait(false);
        foreach (var id in _agents.Keys.ToList())
        {
            await ForgetKernelAsync(id).ConfigureAwait(false);
        }

        if (_server is { } server)
        {
            if (server.Leased)
            {
                await JupyterServers.ReleaseAsync(_options).ConfigureAwait(false);
            }
        }

        _connect.Dispose();
    }

    /// <summary>The server this client talks to, once it has been used (for tests).</summary>
    internal JupyterEndpoint? ServerEndpoint => _server?.Endpoint;

    /// <summary>The server, started or reached on first use.</summary>
    private async Task<Server> ServerAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_server is { } ready)
        {
            return ready;
        }

        await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is null)
            {
                if (_options.Url is { } url)
                {
                    // A server of the user's: its root is learned from the first kernel's working directory.
                    var endpoint = new JupyterEndpoint(url, _options.Token);
                    _server = new Server(endpoint, new JupyterRest(endpoint, Config.HttpClient), null, string.Empty, Leased: false);
                }
                else
                {
                    var process = await JupyterServers.AcquireAsync(_options, cancellationToken).ConfigureAwait(false);
                    var paths = new JupyterPaths(process.RootDir, process.Workspace);
                    _server = new Server(process.Endpoint, new JupyterRest(process.Endpoint), paths, paths.Contents(paths.Workspace), Leased: true);
                }
            }

            return _server;
        }
        finally
        {
            _connect.Release();
        }
    }

    /// <summary>The agent of a kernel, connected (again, if its connection closed).</summary>
    private async Task<KernelAgent> AgentAsync(string kernelId, CancellationToken cancellationToken)
    {
        if (!IsKernelId(kernelId))
        {
            throw new NotFoundException(ProviderId, $"The Jupyter server has no kernel '{kernelId}'.");
        }

        while (true)
        {
            var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
            var lazy = _agents.GetOrAdd(kernelId, id => new Lazy<Task<KernelAgent>>(() => ConnectAgentAsync(server, id)));
            KernelAgent agent;
            try
            {
                agent = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException)
            {
                _agents.TryRemove(new KeyValuePair<string, Lazy<Task<KernelAgent>>>(kernelId, lazy));
                throw;
            }

            if (agent.Connection.IsOpen)
            {
                return agent;
            }

            if (_agents.TryRemove(new KeyValuePair<string, Lazy<Task<KernelAgent>>>(kernelId, lazy)))
            {
                await agent.Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<KernelAgent> ConnectAgentAsync(Server server, string kernelId)
    {
        var connection = await KernelConnection.ConnectAsync(server.Endpoint, kernelId, CancellationToken.None).ConfigureAwait(false);
        try
        {
            using var ready = new CancellationTokenSource(KernelReadyTimeout);
            try
            {
                await connection.KernelInfoAsync(ready.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ready.IsCancellationRequested)
            {
                throw new SandboxTimeoutException(ProviderId,
                    $"Jupyter kernel '{kernelId}' did not answer kernel_info within {KernelReadyTimeout.TotalSeconds:0} s.", KernelReadyTimeout);
            }

            return new KernelAgent(connection, server.Paths?.Workspace);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ForgetKernelAsync(string kernelId)
    {
        if (_agents.TryRemove(kernelId, out var lazy) && lazy.IsValueCreated)
        {
            try
            {
                var agent = await lazy.Value.ConfigureAwait(false);
                await agent.Connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (SandboxException)
            {
            }
        }
    }

    /// <summary>The sandbox paths of a server; for a server of the user's, learned from the kernel's workspace.</summary>
    private async Task<JupyterPaths> PathsAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        if (server.Paths is { } paths)
        {
            return paths;
        }

        var agent = await AgentAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var info = await agent.CallAsync("info", null, cancellationToken).ConfigureAwait(false);
        var workspace = info.GetProperty("workspace").GetString() ?? info.GetProperty("cwd").GetString() ?? "/";
        server.Paths = new JupyterPaths(workspace, workspace);
        return server.Paths;
    }

    private async Task<DateTimeOffset?> CreatedAsync(string kernelId, CancellationToken cancellationToken)
    {
        try
        {
            var agent = await AgentAsync(kernelId, cancellationToken).ConfigureAwait(false);
            var info = await agent.CallAsync("info", null, cancellationToken).ConfigureAwait(false);
            return info.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.String
                   && DateTimeOffset.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null;
        }
        catch (ProviderException)
        {
            return null;
        }
    }

    private static SandboxInfo Describe(JupyterKernel kernel, DateTimeOffset? created) => new()
    {
        Id = kernel.Id,
        Provider = ProviderId,
        Template = kernel.Name,
        Status = kernel.ExecutionState switch
        {
            "dead" => SandboxStatus.Stopped,
            "starting" => SandboxStatus.Starting,
            _ => SandboxStatus.Running,
        },
        StartedAt = created ?? kernel.LastActivity,
    };

    private static bool IsKernelId(string id) => Guid.TryParse(id, out _);

    /// <summary>Refuses variable names a shell could not export (the kernel would take them, its commands' shells not).</summary>
    internal static void ValidateEnvironment(IReadOnlyDictionary<string, string>? env)
    {
        foreach (var key in env?.Keys ?? [])
        {
            if (!ShellQuote.IsVariableName(key))
            {
                throw new BadConfigException(ProviderId, $"'{key}' is not a valid environment variable name.");
            }
        }
    }

    private static async Task<IReadOnlyList<JupyterSession>> ContextSessionsAsync(Server server, string sandboxId, CancellationToken cancellationToken) =>
        (await server.Rest.ListSessionsAsync(cancellationToken).ConfigureAwait(false))
        .Where(s => s.Type == ContextSessionType && s.Path.StartsWith(ContextPathPrefix(sandboxId), StringComparison.Ordinal))
        .ToList();

    private static string ContextPathPrefix(string sandboxId) => $"sandboxes/{sandboxId}/";

    /// <summary>The server this client talks to.</summary>
    private sealed record Server(JupyterEndpoint Endpoint, JupyterRest Rest, JupyterPaths? Paths, string KernelPath, bool Leased)
    {
        /// <summary>Known from the start for a started server; learned from the first kernel for a server of the user's.</summary>
        public JupyterPaths? Paths { get; set; } = Paths;
    }
}
