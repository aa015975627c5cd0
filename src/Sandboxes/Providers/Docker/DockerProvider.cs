using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Sandboxes.Internal;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>
/// Containers on any engine that speaks the Docker Engine API (Docker, Podman's compatible service), through the client the
/// spec compiler generates from <c>specs/docker/v1.55.yaml</c>. A sandbox is a container whose main process only keeps it
/// alive (for its lifetime, if it has one); every command is an exec. Everything the adapter knows lives in the engine
/// (container labels, image labels, files under <c>/tmp/.sandboxes</c> in the container), so any client can attach to,
/// list and kill any sandbox.
/// </summary>
[SandboxProvider(ProviderId)]
internal sealed partial class DockerProvider : RemoteProcessProvider
{
    /// <summary>The provider's registered name.</summary>
    public const string ProviderId = "docker";

    /// <summary>The keep-alive's sleep when the sandbox has no lifetime (about 68 years: sleep takes no "forever" everywhere).</summary>
    private const string Forever = "2147483647";

    private static readonly TimeSpan ExitPollLimit = TimeSpan.FromSeconds(10);
    private readonly DockerOptions _options;
    private readonly DockerEngine _engine;

    /// <summary>Creates the adapter; the engine is first contacted when a sandbox is used.</summary>
    /// <exception cref="BadConfigException">The engine address or API version cannot be used.</exception>
    public DockerProvider(ProviderConfig config)
        : base(config)
    {
        _options = DockerOptions.From(config);
        _engine = new DockerEngine(_options, config.HttpClient);
    }

    /// <summary>The engine connection (for tests).</summary>
    internal DockerEngine Engine => _engine;

    public override async Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _reapedOnce, 1) == 0)
        {
            // The first create of a client removes what crashed clients left (lists do it every time).
            await ListSandboxesAsync(new ListSandboxesFilter(), cancellationToken).ConfigureAwait(false);
        }

        if (request.Name is { } name && !ContainerName().IsMatch(name))
        {
            throw new BadConfigException(ProviderId, $"'{name}' cannot name a container: use letters, digits, '_', '.' and '-', starting with a letter or digit.");
        }

        var (image, template) = await ResolveImageAsync(client, request, cancellationToken).ConfigureAwait(false);
        var env = new List<string>();
        foreach (var (key, value) in request.Envs ?? new Dictionary<string, string>())
        {
            env.Add(EnvPair(key, value));
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Labels ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(DockerLabels.Prefix, StringComparison.Ordinal))
            {
                throw new BadConfigException(ProviderId, $"Labels starting with '{DockerLabels.Prefix}' are the adapter's own; '{key}' cannot be set.");
            }

            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal))
            {
                // Engines keep labels as "key=value" lines (podman splits them at the first '='): such a key would
                // come back as another label.
                throw new BadConfigException(ProviderId, $"The label key '{key}' cannot be kept by a container engine: a key must be non-empty and hold no '='.");
            }

            labels[key] = value;
        }

        labels[DockerLabels.Sandbox] = "1";
        labels[DockerLabels.Template] = template;
        labels[DockerLabels.Lifetime] = request.TimeoutSeconds?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
        // A snapshot's image carries its own bookkeeping labels; they are not the new sandbox's.
        labels[DockerLabels.Snapshot] = string.Empty;
        labels[DockerLabels.SnapshotName] = string.Empty;
        labels[DockerLabels.SnapshotSource] = string.Empty;
        var creation = NewNonce();
        labels[DockerLabels.Creation] = creation;
        labels[DockerLabels.Creator] = CreatorProcess.Current;
        labels[DockerLabels.Keep] = request.Keep ? "1" : string.Empty;

        var body = new Api.ContainerCreateRequest
        {
            Image = image,
            Entrypoint = ["/bin/sh", "-c", DockerScripts.KeepAlive, "sandboxes-keepalive",
                request.TimeoutSeconds?.ToString(CultureInfo.InvariantCulture) ?? Forever],
            Cmd = [],
            Env = env,
            WorkingDir = DockerPath.Workspace,
            Labels = labels,
            HostConfig = new Api.HostConfig
            {
                NetworkMode = NetworkMode(request.Network ?? NetworkPolicy.None),
                // An init as pid 1 reaps the orphans of background commands, which the keep-alive would leave as zombies.
                Init = true,
                // A sandbox with a lifetime disappears when its keep-alive exits at the deadline.
                AutoRemove = request.TimeoutSeconds is not null,
                Memory = request.MemoryMb is { } mb ? mb * 1024L * 1024L : null,
                // Memory and swap together equal to Memory: no swap, so the limit is what a command can really use.
                MemorySwap = request.MemoryMb is { } swapMb ? swapMb * 1024L * 1024L : null,
                NanoCpus = request.Cpus is { } cpus ? (long)Math.Round(cpus * 1e9) : null,
                PidsLimit = request.MaxProcesses,
            },
        };

        Api.ContainerCreateResponse created;
        try
        {
            created = await CreateContainerAsync(client, body, request.Name, creation).ConfigureAwait(false);
        }
        catch (NotFoundException) when (request.Snapshot is null)
        {
            await PullAsync(image, cancellationToken).ConfigureAwait(false);
            created = await CreateContainerAsync(client, body, request.Name, creation).ConfigureAwait(false);
        }

        try
        {
            // Cancellation is honoured only once the container's id is known, so that the container can be removed.
            cancellationToken.ThrowIfCancellationRequested();
            await client.ContainerStartAsync(created.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await GetSandboxAsync(created.Id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A sandbox that failed to start (or whose creator gave up) is not left behind.
            await RemoveContainerAsync(client, created.Id).ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        Describe(await InspectAsync(sandboxId, cancellationToken).ConfigureAwait(false));

    public override async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken)
    {
        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        var labels = new List<string> { DockerLabels.Sandbox + "=1" };
        foreach (var (key, value) in filter.Labels ?? new Dictionary<string, string>())
        {
            labels.Add(key + "=" + value);
        }

        var containers = await client.ContainerListAsync(all: true, filters: FiltersJson(("label", labels)), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var orphans = containers.Where(c => c.Id is not null && IsOrphan(c)).ToList();
        foreach (var orphan in orphans)
        {
            await RemoveContainerAsync(client, orphan.Id!).ConfigureAwait(false);
        }

        return containers
            .Except(orphans)
            .Where(c => c.Labels is not null && c.Labels.TryGetValue(DockerLabels.Sandbox, out var mark) && mark == "1")
            .Select(Describe)
            .Where(filter.Matches)
            .OrderBy(i => i.StartedAt)
            .ToList();
    }

    private int _reapedOnce;

    // A sandbox whose creator on this machine has ended and that was not kept: its creator crashed (or never disposed
    // it); it is removed by the next client that lists sandboxes.
    private static bool IsOrphan(Api.ContainerSummary container) =>
        container.Labels is { } labels && labels.GetValueOrDefault(DockerLabels.Keep) != "1"
        && labels.TryGetValue(DockerLabels.Creator, out var creator) && CreatorProcess.HasEnded(creator) == true;

    public override async Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        ClosePortsOf(sandboxId);
        await CloseTerminalsOfAsync(sandboxId).ConfigureAwait(false);
        await ForgetSandboxAsync(sandboxId).ConfigureAwait(false);
        if (!IsContainerId(sandboxId))
        {
            return;
        }

        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        Api.ContainerInspectResponse container;
        try
        {
            container = await client.ContainerInspectAsync(sandboxId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return; // already gone: not an error
        }

        if (!IsSandbox(container.Config?.Labels))
        {
            throw NotASandbox(sandboxId);
        }

        await RemoveContainerAsync(client, container.Id ?? sandboxId).ConfigureAwait(false);
        await CollectDeletedSnapshotsAsync(client, cancellationToken).ConfigureAwait(false);
    }

    public override async Task PauseAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var client = await SandboxClientAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        await Call(sandboxId, () => client.ContainerPauseAsync(sandboxId, cancellationToken)).ConfigureAwait(false);
    }

    public override async Task ResumeAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var client = await SandboxClientAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        await Call(sandboxId, () => client.ContainerUnpauseAsync(sandboxId, cancellationToken)).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var sandboxId in _forwarders.Keys.Select(k => k.Sandbox).Distinct().ToList())
        {
            ClosePortsOf(sandboxId);
        }

        foreach (var sandboxId in _terminals.Keys.Select(k => k.Sandbox).Distinct().ToList())
        {
            await CloseTerminalsOfAsync(sandboxId).ConfigureAwait(false);
        }

        _engine.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // ---- Shared plumbing ----

    /// <summary>Inspects a sandbox's container; a missing or foreign container is <see cref="NotFoundException"/>.</summary>
    private async Task<Api.ContainerInspectResponse> InspectAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (!IsContainerId(sandboxId))
        {
            throw NotASandbox(sandboxId);
        }

        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        Api.ContainerInspectResponse container;
        try
        {
            container = await client.ContainerInspectAsync(sandboxId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException e)
        {
            throw new NotFoundException(ProviderId, $"No docker sandbox has the id '{sandboxId}'.", e);
        }

        return IsSandbox(container.Config?.Labels) ? container : throw NotASandbox(sandboxId);
    }

    /// <summary>The client, after checking that <paramref name="sandboxId"/> can be a container id.</summary>
    private async ValueTask<Api.IDockerApi> SandboxClientAsync(string sandboxId, CancellationToken cancellationToken) =>
        IsContainerId(sandboxId) ? await _engine.ClientAsync(cancellationToken).ConfigureAwait(false) : throw NotASandbox(sandboxId);

    /// <summary>Runs an engine call about a sandbox, mapping the engine's errors to the sandbox's typed errors.</summary>
    private static async Task<T> Call<T>(string sandboxId, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (SandboxException e) when (!ReferenceEquals(DockerErrors.ForSandbox(e, sandboxId), e))
        {
            throw DockerErrors.ForSandbox(e, sandboxId);
        }
    }

    /// <inheritdoc cref="Call{T}(string, Func{Task{T}})"/>
    private static Task Call(string sandboxId, Func<Task> call) =>
        Call(sandboxId, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    /// <summary>Creates and starts an exec, returning its id and its taken-over connection.</summary>
    private async Task<(string ExecId, HijackedConnection Connection)> StartExecAsync(string sandboxId, ExecSpec spec, CancellationToken cancellationToken)
    {
        var client = await SandboxClientAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var body = new Api.ContainerExecRequest
        {
            Cmd = spec.Cmd.ToList(),
            Env = spec.Env.Count == 0 ? null : spec.Env.ToList(),
            User = spec.User,
            WorkingDir = spec.WorkingDir,
            AttachStdin = spec.Stdin,
            AttachStdout = true,
            AttachStderr = true,
            Tty = spec.Tty,
            ConsoleSize = spec.ConsoleSize is { } size ? [size.Rows, size.Cols] : null,
        };
        var created = await Call(sandboxId, () => client.ContainerExecAsync(sandboxId, body, cancellationToken)).ConfigureAwait(false);
        var connection = await Call(sandboxId, () => _engine.StartExecAsync(created.Id, spec.Tty, cancellationToken)).ConfigureAwait(false);
        return (created.Id, connection);
    }

    /// <summary>Waits until the engine reports the exec ended and returns its exit code.</summary>
    private async Task<int> WaitForExitAsync(string execId, CancellationToken cancellationToken)
    {
        var client = await _engine.ClientAsync(cancellationToken).ConfigureAwait(false);
        var started = DateTime.UtcNow;
        var delay = 2;
        while (true)
        {
            var exec = await client.ExecInspectAsync(execId, cancellationToken).ConfigureAwait(false);
            // The output can end a moment before the engine records the exit.
            if (exec.Running != true || DateTime.UtcNow - started > ExitPollLimit)
            {
                return (int)(exec.ExitCode ?? -1);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 100);
        }
    }

    /// <summary>
    /// Creates a container without the caller's cancellation: an engine that received the request may create the
    /// container although nobody waits for the answer, and its id would then be unknown. Creating takes milliseconds.
    /// When the engine does not answer at all (timeout, dropped connection), or a gateway in front of it answers that the
    /// engine's answer was lost (502, 504), whatever it created under this call's <paramref name="creation"/> label is
    /// removed before the error goes up, where a retry would otherwise add a second.
    /// </summary>
    private static async Task<Api.ContainerCreateResponse> CreateContainerAsync(Api.IDockerApi client, Api.ContainerCreateRequest body,
        string? name, string creation)
    {
        try
        {
            return await client.ContainerCreateAsync(body, name, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.StatusCode is null or 408 or 502 or 504)
        {
            // The engine may have made the container, which nobody would then start or remove. A client's creation
            // label would find it too, but a container that was never started is no sandbox to adopt.
            await RemoveCreatedAsync(client, creation).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes the containers one create call made (found by its creation label), as far as the engine answers.</summary>
    private static async Task RemoveCreatedAsync(Api.IDockerApi client, string creation)
    {
        try
        {
            var containers = await client.ContainerListAsync(all: true, filters: FiltersJson(("label", [DockerLabels.Creation + "=" + creation])),
                cancellationToken: CancellationToken.None).ConfigureAwait(false);
            foreach (var container in containers)
            {
                if (container.Id is { } id)
                {
                    await RemoveContainerAsync(client, id).ConfigureAwait(false);
                }
            }
        }
        catch (SandboxException)
        {
            // The engine still does not answer; the error that brought us here is the one to report.
        }
    }

    private static async Task RemoveContainerAsync(Api.IDockerApi client, string containerId)
    {
        try
        {
            await client.ContainerDeleteAsync(containerId, v: true, force: true, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Gone already (removed by its lifetime, or by another client).
        }
        catch (ProviderException e) when (e.StatusCode == 409)
        {
            // Removal already in progress elsewhere.
        }
    }

    private async Task<(string Image, string Template)> ResolveImageAsync(Api.IDockerApi client, CreateSandboxRequest request,
        CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request.Snapshot))
        {
            var snapshot = await FindSnapshotAsync(client, request.Snapshot, cancellationToken).ConfigureAwait(false);
            return (SnapshotReference(snapshot), request.Snapshot);
        }

        var image = request.Image ?? request.Template ?? _options.DefaultImage;
        if (string.IsNullOrWhiteSpace(image) || image.Any(char.IsWhiteSpace))
        {
            throw new BadConfigException(ProviderId, $"'{image}' is not an image reference.");
        }

        return (image, image);
    }

    private async Task PullAsync(string image, CancellationToken cancellationToken)
    {
        // Without a tag the engine would pull every tag of the repository.
        var (repository, tag) = SplitReference(image);
        try
        {
            // Sent by hand: the spec gives this operation no response body, while the pull's outcome is in its progress stream.
            using var response = await _engine.SendAsync(HttpMethod.Post,
                "images/create?fromImage=" + Uri.EscapeDataString(repository) + (tag.Length == 0 ? string.Empty : "&tag=" + Uri.EscapeDataString(tag)), null,
                cancellationToken).ConfigureAwait(false);
            var progress = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (progress.ConfigureAwait(false))
            {
                // The pull reports failure inside its progress stream, as {"error": "..."} lines after a 200.
                using var reader = new Http.StreamedLineReader(progress, ProviderId);
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Contains("\"error\"", StringComparison.Ordinal))
                    {
                        throw new NotFoundException(ProviderId, $"Image '{image}' is not on the engine and could not be pulled: {ErrorText(line)}");
                    }
                }
            }
        }
        catch (ProviderException e)
        {
            throw new NotFoundException(ProviderId, $"Image '{image}' is not on the engine and could not be pulled: {e.Message}", e);
        }
    }

    private static (string Repository, string Tag) SplitReference(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return (image, string.Empty);
        }

        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    private static string ErrorText(string jsonLine)
    {
        try
        {
            using var document = JsonDocument.Parse(jsonLine);
            return document.RootElement.TryGetProperty("error", out var error) ? error.ToString() : jsonLine;
        }
        catch (JsonException)
        {
            return jsonLine;
        }
    }

    private SandboxInfo Describe(Api.ContainerInspectResponse container)
    {
        var labels = container.Config?.Labels ?? new Dictionary<string, string>();
        var state = container.State;
        var started = DateTimeOffset.TryParse(state?.StartedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startTime)
                      && startTime.Year > 1
            ? startTime
            : ParseTime(container.Created);
        var status = state?.Status?.Value switch
        {
            "running" => SandboxStatus.Running,
            "paused" => SandboxStatus.Paused,
            "created" or "restarting" => SandboxStatus.Starting,
            "exited" or "dead" or "removing" or "stopped" => SandboxStatus.Stopped,
            { Length: > 0 } other => new SandboxStatus(other),
            _ => SandboxStatus.Error,
        };
        return new SandboxInfo
        {
            Id = container.Id ?? string.Empty,
            Provider = ProviderId,
            Name = container.Name?.TrimStart('/'),
            Template = labels.TryGetValue(DockerLabels.Template, out var template) && template.Length > 0 ? template : container.Config?.Image,
            Status = status,
            StartedAt = started,
            ExpiresAt = started + Lifetime(labels),
            Labels = DockerLabels.UserLabels(labels),
            Cpus = container.HostConfig?.NanoCpus is > 0 and var nano ? nano / 1e9 : null,
            MemoryMb = container.HostConfig?.Memory is > 0 and var memory ? (int)(memory / (1024 * 1024)) : null,
        };
    }

    private SandboxInfo Describe(Api.ContainerSummary container)
    {
        var labels = container.Labels ?? new Dictionary<string, string>();
        var state = container.State?.Value;
        return new SandboxInfo
        {
            Id = container.Id ?? string.Empty,
            Provider = ProviderId,
            Name = container.Names?.FirstOrDefault()?.TrimStart('/'),
            Template = labels.TryGetValue(DockerLabels.Template, out var template) && template.Length > 0 ? template : container.Image,
            Status = state switch
            {
                "running" => SandboxStatus.Running,
                "paused" => SandboxStatus.Paused,
                "created" or "restarting" => SandboxStatus.Starting,
                "exited" or "dead" or "removing" or "stopped" => SandboxStatus.Stopped,
                { Length: > 0 } other => new SandboxStatus(other),
                _ => SandboxStatus.Error,
            },
            StartedAt = container.Created is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : null,
            // A summary has no start time; the creation time is the closest (the keep-alive starts a moment later).
            ExpiresAt = container.Created is { } createdAt ? DateTimeOffset.FromUnixTimeSeconds(createdAt) + Lifetime(labels) : null,
            Labels = DockerLabels.UserLabels(labels),
        };
    }

    private static TimeSpan? Lifetime(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(DockerLabels.Lifetime, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string NetworkMode(NetworkPolicy policy) => policy switch
    {
        NetworkPolicy.None => "none",
        NetworkPolicy.Internet => "bridge",
        NetworkPolicy.All => "host",
        _ => throw new BadConfigException(ProviderId, $"Unknown network policy {policy}."),
    };

    /// <summary>A <c>NAME=value</c> pair, after checking the name.</summary>
    private static string EnvPair(string name, string value) =>
        EnvName().IsMatch(name)
            ? name + "=" + value
            : throw new BadConfigException(ProviderId, $"'{name}' is not a valid environment variable name.");

    /// <summary>The JSON the list endpoints take as <c>filters</c>: {"name": ["value", ...]}.</summary>
    private static string FiltersJson(params (string Name, IReadOnlyList<string> Values)[] filters)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, values) in filters)
            {
                writer.WriteStartArray(name);
                foreach (var value in values)
                {
                    writer.WriteStringValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A fresh random token (24 hex digits): command nonces and handle ids.</summary>
    private static bool IsSandbox(IReadOnlyDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(DockerLabels.Sandbox, out var mark) && mark == "1";

    private static bool IsContainerId(string sandboxId) => ContainerName().IsMatch(sandboxId);

    private static NotFoundException NotASandbox(string sandboxId) =>
        new(ProviderId, $"No docker sandbox has the id '{sandboxId}'.");

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}\z")]
    private static partial Regex ContainerName();

    // \z, not $: $ also matches before a final newline, which no variable name holds.
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex EnvName();
}
