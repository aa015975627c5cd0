using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Sandboxes.Providers;

namespace Sandboxes.FaultInjection;

/// <summary>
/// An adapter for <see cref="FaultInjectingServer"/>'s little API, mapping its answers to the library's typed errors the
/// way the vendor adapters do (429 with Retry-After, 404, 5xx, connection failures). Only lifecycle, labels and
/// commands are offered; everything else throws <see cref="FeatureNotSupportedException"/>.
/// </summary>
public class FaultyHttpProvider : SandboxProvider
{
    private readonly ProviderDescriptor _descriptor;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates the adapter; the server's address is <see cref="ProviderConfig.BaseUrl"/>.</summary>
    public FaultyHttpProvider(ProviderDescriptor descriptor, ProviderConfig config)
        : base(config)
    {
        _descriptor = descriptor;
        _ownsHttp = config.HttpClient is null;
        _http = config.HttpClient ?? new HttpClient();
        if (_http.BaseAddress is null)
        {
            _http.BaseAddress = config.BaseUrl ?? throw new BadConfigException(descriptor.Id, "BaseUrl is required.");
        }
    }

    /// <summary>Registers a provider of this kind under a unique name and returns the name.</summary>
    /// <param name="prefix">The name's prefix.</param>
    /// <param name="detectionOrder">Its auto-detection position; null never auto-selects it.</param>
    /// <param name="credentialVariables">The environment variables that count as its credentials.</param>
    /// <param name="idempotent">True to send an idempotency key on creation (<see cref="IIdempotentSandboxCreation"/>).</param>
    public static string Register(string prefix = "faulty", int? detectionOrder = null, IReadOnlyList<string>? credentialVariables = null, bool idempotent = false)
    {
        var id = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        var descriptor = new ProviderDescriptor(id, "Faulty " + id,
        [
            new CapabilityEntry(Capability.Lifecycle, CapabilitySupport.Native),
            new CapabilityEntry(Capability.Labels, CapabilitySupport.Native),
            new CapabilityEntry(Capability.CommandsRun, CapabilitySupport.Native),
        ])
        {
            DetectionOrder = detectionOrder, CredentialVariables = credentialVariables ?? [],
        };
        SandboxProviders.Register(descriptor, config => idempotent ? new IdempotentFaultyHttpProvider(descriptor, config) : new FaultyHttpProvider(descriptor, config));
        return id;
    }

    /// <inheritdoc />
    public override ProviderDescriptor Descriptor => _descriptor;

    /// <inheritdoc />
    public override Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken) =>
        CreateCoreAsync(request, null, cancellationToken);

    /// <summary>Creates a sandbox, with an <c>Idempotency-Key</c> header when a key is given.</summary>
    protected async Task<SandboxInfo> CreateCoreAsync(CreateSandboxRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["labels"] = ToJson(request.Labels) };
        var json = await SendAsync(HttpMethod.Post, "sandboxes", body, cancellationToken, idempotencyKey).ConfigureAwait(false);
        return ToInfo(json!);
    }

    /// <inheritdoc />
    public override async Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        ToInfo((await SendAsync(HttpMethod.Get, "sandboxes/" + sandboxId, null, cancellationToken).ConfigureAwait(false))!);

    /// <inheritdoc />
    public override async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken)
    {
        var query = string.Join("&", (filter.Labels ?? new Dictionary<string, string>()).Select(l => "label=" + Uri.EscapeDataString(l.Key + "=" + l.Value)));
        var json = await SendAsync(HttpMethod.Get, "sandboxes" + (query.Length > 0 ? "?" + query : string.Empty), null, cancellationToken).ConfigureAwait(false);
        return json!.AsArray().Select(n => ToInfo(n!)).ToList();
    }

    /// <inheritdoc />
    public override Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, "sandboxes/" + sandboxId, null, cancellationToken);

    /// <inheritdoc />
    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var json = await SendAsync(HttpMethod.Post, $"sandboxes/{sandboxId}/exec", new JsonObject { ["cmd"] = request.Cmd }, cancellationToken).ConfigureAwait(false);
        return new CommandResult
        {
            Stdout = json!["stdout"]!.GetValue<string>(), Stderr = json["stderr"]!.GetValue<string>(), ExitCode = json["exitCode"]!.GetValue<int>(),
        };
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsStream, nameof(StreamCommandAsync));

    /// <inheritdoc />
    public override Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsBackground, nameof(StartCommandAsync));

    /// <inheritdoc />
    public override Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsBackground, nameof(WaitForHandleAsync));

    /// <inheritdoc />
    public override IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsBackground, nameof(AttachCommandAsync));

    /// <inheritdoc />
    public override Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsStdin, nameof(WriteStdinAsync));

    /// <inheritdoc />
    public override Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsStdin, nameof(CloseStdinAsync));

    /// <inheritdoc />
    public override Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsKill, nameof(KillProcessAsync));

    /// <inheritdoc />
    public override Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CommandsList, nameof(ListProcessesAsync));

    /// <inheritdoc />
    public override Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.FilesRead, nameof(OpenReadAsync));

    /// <inheritdoc />
    public override Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.FilesWrite, nameof(WriteFileAsync));

    /// <inheritdoc />
    public override Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.FilesList, nameof(ListDirectoryAsync));

    /// <inheritdoc />
    public override Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.FilesMakeDir, nameof(MakeDirAsync));

    /// <inheritdoc />
    public override Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.FilesRemove, nameof(RemoveAsync));

    /// <inheritdoc />
    public override Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.FilesExists, nameof(ExistsAsync));

    /// <inheritdoc />
    public override Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Pty, nameof(CreatePtyAsync));

    /// <inheritdoc />
    public override Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Pty, nameof(ResizePtyAsync));

    /// <inheritdoc />
    public override Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Pty, nameof(KillPtyAsync));

    /// <inheritdoc />
    public override Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Pty, nameof(ListPtyAsync));

    /// <inheritdoc />
    public override Task PauseAsync(string sandboxId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.PauseResume, nameof(PauseAsync));

    /// <inheritdoc />
    public override Task SetTimeoutAsync(string sandboxId, int timeoutSeconds, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.LifetimeExtend, nameof(SetTimeoutAsync));

    /// <inheritdoc />
    public override Task ResumeAsync(string sandboxId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.PauseResume, nameof(ResumeAsync));

    /// <inheritdoc />
    public override Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Snapshot, nameof(CreateSnapshotAsync));

    /// <inheritdoc />
    public override Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Snapshot, nameof(ListSnapshotsAsync));

    /// <inheritdoc />
    public override Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Snapshot, nameof(DeleteSnapshotAsync));

    /// <inheritdoc />
    public override Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.Ports, nameof(GetPortUrlAsync));

    /// <inheritdoc />
    public override Task<CodeContext> CreateCodeContextAsync(string sandboxId, CreateCodeContextRequest request, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CodeContext, nameof(CreateCodeContextAsync));

    /// <inheritdoc />
    public override Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(string sandboxId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CodeContext, nameof(ListCodeContextsAsync));

    /// <inheritdoc />
    public override Task<ExecutionResult> RunCodeInContextAsync(string sandboxId, RunCodeRequest request, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CodeContext, nameof(RunCodeInContextAsync));

    /// <inheritdoc />
    public override Task InterruptCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CodeContext, nameof(InterruptCodeContextAsync));

    /// <inheritdoc />
    public override Task RestartCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CodeContext, nameof(RestartCodeContextAsync));

    /// <inheritdoc />
    public override Task CloseCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        throw NotSupported(Capability.CodeContext, nameof(CloseCodeContextAsync));

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        return base.DisposeAsync();
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException(Name, $"{method} {path} failed: {e.Message}", innerException: e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? null : JsonNode.Parse(text);
            }

            var status = (int)response.StatusCode;
            throw status switch
            {
                429 => new RateLimitException(Name, "HTTP 429", response.Headers.RetryAfter?.Delta ?? ParseSeconds(response)),
                404 => new NotFoundException(Name, "HTTP 404: " + text),
                _ => new ProviderException(Name, $"HTTP {status}", status, responseBody: text),
            };
        }
    }

    private static TimeSpan? ParseSeconds(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Retry-After", out var values) &&
        double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static JsonObject ToJson(IReadOnlyDictionary<string, string>? labels)
    {
        var json = new JsonObject();
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            json[key] = value;
        }

        return json;
    }

    private SandboxInfo ToInfo(JsonNode json) => new()
    {
        Id = json["id"]!.GetValue<string>(),
        Provider = Name,
        StartedAt = DateTimeOffset.Parse(json["startedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        Labels = json["labels"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
    };

}
