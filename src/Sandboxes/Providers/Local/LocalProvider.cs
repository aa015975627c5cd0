using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Sandboxes.CodeExecution;
using Sandboxes.Internal;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// The embedded provider: each sandbox is a workspace directory and a process tree jailed with bubblewrap (user, pid,
/// mount, ipc, uts and net namespaces, a read-only view of the system, a seccomp filter, a reduced capability set) and
/// its own cgroups; run by root, its users are an unprivileged host id range (see <see cref="IdentityMap"/>).
/// Sandboxes live in a per-user state directory and outlive the process that created them; any process can attach
/// to, list and destroy them. SECURITY.md says what each layer stops.
/// </summary>
[SandboxProvider(ProviderId)]
internal sealed partial class LocalProvider : ProcessContextProvider
{
    /// <summary>The provider's registered name.</summary>
    public const string ProviderId = "local";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private readonly LocalOptions _options;
    private readonly LocalStateStore _store;
    private readonly Lazy<(string? Bubblewrap, bool Namespaces)> _isolation;
    private readonly IdentityMap _identity;
    private readonly Lazy<bool> _stateRootReady;
    private readonly Lazy<CgroupHierarchy> _cgroups = new(CgroupHierarchy.Detect);
    private readonly ConcurrentDictionary<string, LocalSandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Sandbox, int Port), PortForwarder> _forwarders = new();
    private readonly ConcurrentDictionary<(string Sandbox, int Pid), LocalPtySession> _terminals = new();
    private long _lastReapTicks;

    /// <summary>Creates the adapter; the isolation requested in the config is checked here.</summary>
    /// <exception cref="BadConfigException">Namespace isolation was asked for and bubblewrap cannot provide it.</exception>
    public LocalProvider(ProviderConfig config)
        : base(config)
    {
        _options = LocalOptions.From(config);
        _store = new LocalStateStore(_options.StateRoot);
        _isolation = new Lazy<(string?, bool)>(ChooseIsolation);
        _identity = IdentityMap.ForThisProcess(ProviderId, _options.UidBase);
        _stateRootReady = new Lazy<bool>(PrepareStateRoot);
        if (_options.Isolation == IsolationMode.Namespaces)
        {
            _ = _isolation.Value; // fail at construction, not at first use
        }
    }

    /// <summary>The state directory (for tests and the CLI).</summary>
    internal LocalStateStore Store => _store;

    /// <summary>True when sandboxes are namespace-isolated.</summary>
    internal bool UsesNamespaces => _isolation.Value.Namespaces;

    public override async Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Reap();
        var (bubblewrap, namespaces) = _isolation.Value;
        _ = _stateRootReady.Value;
        var network = request.Network ?? NetworkPolicy.None;
        var allow = request.NetworkAllow is { Count: > 0 } entries
            ? await EgressRules.ResolveAsync(ProviderId, entries, cancellationToken).ConfigureAwait(false)
            : [];
        if (allow.Count > 0 && network == NetworkPolicy.All)
        {
            throw new BadConfigException(ProviderId, "NetworkPolicy.All reaches everything already: NetworkAllow applies to None and Internet.");
        }

        if (network == NetworkPolicy.Internet || allow.Count > 0)
        {
            if (!namespaces)
            {
                throw new FeatureNotSupportedException(ProviderId, Capability.NetworkPolicy, "NetworkPolicy.Internet and NetworkAllow need namespace isolation.");
            }

            if (SandboxNetwork.MissingTool() is { } missing)
            {
                throw new FeatureNotSupportedException(ProviderId, Capability.NetworkPolicy,
                    $"NetworkPolicy.Internet and NetworkAllow need {missing}.");
            }
        }

        if (!namespaces && network != NetworkPolicy.All && request.Network is not null)
        {
            throw new FeatureNotSupportedException(ProviderId, Capability.NetworkPolicy,
                "without bubblewrap a sandbox shares the host's network; only NetworkPolicy.All can be honoured.");
        }

        var snapshot = ResolveSnapshot(request.Snapshot ?? request.Template);
        var id = LocalStateStore.NewSandboxId();
        var paths = _store.PathsFor(id);
        var now = DateTimeOffset.UtcNow;
        var metadata = new Dictionary<string, string>(snapshot?.Metadata ?? new Dictionary<string, string>());
        foreach (var (key, value) in request.Labels ?? new Dictionary<string, string>())
        {
            // Labels are stored and listed as UTF-8, as every engine and service stores them: a lone surrogate becomes
            // U+FFFD here too, so a label reads back the same on every provider.
            metadata[ThroughUtf8(key)] = ThroughUtf8(value);
        }

        var envs = new Dictionary<string, string>(snapshot?.Envs ?? new Dictionary<string, string>());
        foreach (var (key, value) in request.Envs ?? new Dictionary<string, string>())
        {
            if (!ShellQuote.IsVariableName(key))
            {
                throw new BadConfigException(ProviderId, $"'{key}' is not a valid environment variable name.");
            }

            envs[key] = value;
        }

        SandboxCgroups.Placement? cgroups = null;
        try
        {
            var record = new LocalSandboxRecord
            {
                Id = id, Name = request.Name, Template = request.Template, CreatedAt = now,
                ExpiresAt = request.TimeoutSeconds is { } t ? now.AddSeconds(t) : null,
                Metadata = metadata, Envs = envs, Cpus = request.Cpus, MemoryMb = request.MemoryMb, MaxProcesses = request.MaxProcesses,
                DiskMb = request.DiskMb, Network = network, NetworkAllow = [.. allow], Namespaces = namespaces, Snapshot = snapshot?.Id, AgentShell = AgentScript.Shell,
                IdBase = _identity.Mapped ? _identity.HostBase : null,
                Keep = request.Keep, Creator = CreatorProcess.Current,
            };
            // The record exists before anything else does, so a crash anywhere from here leaves something destroy can
            // clean (cgroups made before the record names them are found by the sandbox's id).
            // Only this user, and, when mapped, the sandbox's own root, which must reach its workspace to bind it.
            _store.CreateSandboxDirectory(record, dir => ShareWithJail(dir, 0x1C8));
            // Moving a process into a cgroup waits for an RCU grace period (10-25 ms here), more than everything else a
            // create does; so cgroups are made only when limits need them (or always, when configured). Without them,
            // killing pid 1 of the sandbox's namespace kills everything in it, and pause uses stop signals.
            var wantsCgroups = request.Cpus is not null || request.MemoryMb is not null || request.MaxProcesses is not null || _options.AlwaysCgroups;
            cgroups = wantsCgroups
                ? SandboxCgroups.Create(_cgroups.Value, id, request.Cpus, request.MemoryMb, request.MaxProcesses)
                : new SandboxCgroups.Placement([], null, null);
            record = record with { Cgroups = cgroups.Dirs, FreezerCgroup = cgroups.Freezer, MemoryCgroup = cgroups.Memory };
            _store.Write(record);
            if (request.DiskMb is { } diskMb)
            {
                WorkspaceDisk.Create(paths, _identity, diskMb);
            }
            if (snapshot is not null)
            {
                Directory.CreateDirectory(paths.WorkspaceDir);
                await SnapshotArchive.ExtractAsync(Path.Combine(_store.SnapshotDir(snapshot.Id), "workspace.tar"), paths.WorkspaceDir, _identity,
                    cancellationToken).ConfigureAwait(false);
            }

            if (!namespaces)
            {
                Directory.CreateDirectory(Path.Combine(paths.RootDir, "tmp"));
            }

            var initPid = SandboxLauncher.Launch(_options, _identity, paths, record, bubblewrap, cgroups.Dirs, ReadyTimeout, launcher =>
            {
                record = record with { LauncherPid = launcher, LauncherStartTime = ProcessTable.StartTime(launcher) ?? 0 };
                _store.Write(record);
            });
            record = record with { InitPid = initPid, InitStartTime = ProcessTable.StartTime(initPid) ?? 0 };
            _store.Write(record);
            if (record.Filtered)
            {
                var stack = SandboxNetwork.Start(record, paths);
                record = record with { NetworkPid = stack, NetworkStartTime = ProcessTable.StartTime(stack) ?? 0 };
                _store.Write(record);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var sandbox = new LocalSandbox(record, paths);
            _sandboxes[id] = sandbox;
            return Describe(sandbox);
        }
        catch
        {
            // A failed or cancelled create leaves nothing behind: no process, no cgroup, no state.
            Destroy(id, cgroups?.Dirs);
            throw;
        }
    }

    public override Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        Reap();
        return Task.FromResult(Describe(Find(sandboxId, requireAlive: false)));
    }

    public override Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken)
    {
        Reap();
        var list = new List<SandboxInfo>();
        foreach (var id in _store.SandboxIds())
        {
            var info = TryLoad(id) is { } sandbox
                ? Describe(sandbox)
                : new SandboxInfo { Id = id, Provider = ProviderId, Status = SandboxStatus.Error };
            if (filter.Matches(info))
            {
                list.Add(info);
            }
        }

        return Task.FromResult<IReadOnlyList<SandboxInfo>>(list.OrderBy(i => i.StartedAt).ToList());
    }

    public override async Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (!LocalStateStore.IsValidId(sandboxId))
        {
            return;
        }

        foreach (var key in _forwarders.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            if (_forwarders.TryRemove(key, out var forwarder))
            {
                await forwarder.DisposeAsync().ConfigureAwait(false);
            }
        }

        foreach (var key in _terminals.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            if (_terminals.TryRemove(key, out var terminal))
            {
                await terminal.KillAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        await ForgetCodeContextsAsync(sandboxId).ConfigureAwait(false);
        Destroy(sandboxId, null);
    }

    public override Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        Find(sandboxId).Commands.RunAsync(request, cancellationToken);

    public override IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        Find(sandboxId).Commands.StreamAsync(request, cancellationToken);

    public override Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) =>
        Find(sandboxId).Commands.StartAsync(request, cancellationToken);

    public override Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        Find(sandboxId, requireAlive: false).Commands.WaitAsync(handleId, cancellationToken);

    public override IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        Find(sandboxId, requireAlive: false).Commands.AttachAsync(handleId, cancellationToken);

    public override Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Find(sandboxId).Commands.WriteStdinAsync(handleId, data, cancellationToken);

    public override Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken) =>
        Find(sandboxId).Commands.CloseStdinAsync(handleId);

    public override Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken)
    {
        Find(sandboxId).Signal(pid, signal);
        return Task.CompletedTask;
    }

    public override Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) =>
        Task.FromResult(Find(sandboxId).ListProcesses());

    public override Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Task.FromResult(Find(sandboxId).Files.OpenRead(path));

    public override Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken) =>
        Find(sandboxId).Files.WriteAsync(path, content, options, cancellationToken);

    public override Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Task.FromResult(Find(sandboxId).Files.List(path));

    public override Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        Find(sandboxId).Files.MakeDirs(path);
        return Task.CompletedTask;
    }

    public override Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        Find(sandboxId).Files.Remove(path);
        return Task.CompletedTask;
    }

    public override Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken) =>
        Task.FromResult(Find(sandboxId).Files.Exists(path));

    public override Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken)
    {
        return StartTerminalAsync(sandboxId, request, cancellationToken);
    }

    private async Task<PtySession> StartTerminalAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken)
    {
        var sandbox = Find(sandboxId);
        sandbox.EnsureRunnable();
        var session = await LocalTerminals.StartAsync(sandbox, request, session => _terminals.TryRemove((sandboxId, session.Pid), out _), cancellationToken)
            .ConfigureAwait(false);
        _terminals[(sandboxId, session.Pid)] = session;
        return session;
    }

    public override async Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken) =>
        await Terminal(sandboxId, pid).ResizeAsync(rows, cols, cancellationToken).ConfigureAwait(false);

    public override async Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken)
    {
        var terminal = Terminal(sandboxId, pid);
        await terminal.KillAsync(cancellationToken).ConfigureAwait(false);
        await terminal.DisposeAsync().ConfigureAwait(false);
    }

    public override Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken)
    {
        Find(sandboxId);
        return Task.FromResult<IReadOnlyList<PtyInfo>>(_terminals.Where(t => t.Key.Sandbox == sandboxId).Select(t => t.Value.Info).OrderBy(i => i.Pid).ToList());
    }

    public override Task SetTimeoutAsync(string sandboxId, int timeoutSeconds, CancellationToken cancellationToken)
    {
        // The recorded end is what the reaper and Info read, from any process.
        var sandbox = Find(sandboxId);
        Save(sandbox, sandbox.Record with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(timeoutSeconds) });
        return Task.CompletedTask;
    }

    public override Task PauseAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var sandbox = Find(sandboxId);
        if (sandbox.Record.FreezerCgroup is { } freezer)
        {
            SandboxCgroups.SetFrozen(freezer, frozen: true);
        }
        else
        {
            SignalAll(sandbox, ProcessSignal.Stop);
        }

        Save(sandbox, sandbox.Record with { Paused = true });
        return Task.CompletedTask;
    }

    public override Task ResumeAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var sandbox = Find(sandboxId);
        if (sandbox.Record.FreezerCgroup is { } freezer)
        {
            SandboxCgroups.SetFrozen(freezer, frozen: false);
        }
        else
        {
            SignalAll(sandbox, ProcessSignal.Continue);
        }

        Save(sandbox, sandbox.Record with { Paused = false });
        return Task.CompletedTask;
    }

    public override async Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken)
    {
        var sandbox = Find(sandboxId);
        var snapshotId = LocalStateStore.NewSnapshotId();
        var dir = _store.SnapshotDir(snapshotId);
        Directory.CreateDirectory(dir);
        var tar = Path.Combine(dir, "workspace.tar");
        var wasPaused = sandbox.IsPaused;
        try
        {
            // Frozen while copied, so the snapshot is one consistent moment of the workspace.
            if (!wasPaused)
            {
                await PauseAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await SnapshotArchive.CreateAsync(sandbox.Paths.WorkspaceDir, tar, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!wasPaused)
                {
                    await ResumeAsync(sandboxId, CancellationToken.None).ConfigureAwait(false);
                }
            }

            var record = new LocalSnapshotRecord
            {
                Id = snapshotId, Name = name, SandboxId = sandboxId, CreatedAt = DateTimeOffset.UtcNow,
                SizeBytes = new FileInfo(tar).Length, Metadata = new(sandbox.Record.Metadata), Envs = new(sandbox.Record.Envs),
            };
            _store.WriteSnapshot(record);
            return ToInfo(record);
        }
        catch
        {
            TryDeleteDirectory(dir);
            throw;
        }
    }

    public override Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SnapshotInfo>>(_store.Snapshots().OrderBy(s => s.CreatedAt).Select(ToInfo).ToList());

    public override Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var dir = _store.SnapshotDir(snapshotId);
        if (!Directory.Exists(dir))
        {
            throw new NotFoundException(ProviderId, $"No local snapshot has the id '{snapshotId}'.");
        }

        TryDeleteDirectory(dir);
        return Task.CompletedTask;
    }

    public override Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        var sandbox = Find(sandboxId);
        if (sandbox.Record.Network == NetworkPolicy.All || !sandbox.Record.Namespaces)
        {
            return Task.FromResult(new Uri($"http://127.0.0.1:{port}/")); // the sandbox shares the host's network
        }

        var record = sandbox.Record;
        var forwarder = _forwarders.GetOrAdd((sandboxId, port),
            key => new PortForwarder(() => SandboxRoot.TryOpenNamespace(record.InitPid, record.InitStartTime, "net"), key.Port));
        return Task.FromResult(forwarder.Url);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var forwarder in _forwarders.Values)
        {
            await forwarder.DisposeAsync().ConfigureAwait(false);
        }

        _forwarders.Clear();
        foreach (var terminal in _terminals.Values)
        {
            await terminal.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var sandbox in _sandboxes.Values)
        {
            foreach (var fd in sandbox.StdinWriters.Values)
            {
                LibC.Close(fd);
            }

            sandbox.StdinWriters.Clear();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Destroys every sandbox that must not run any more: its lifetime has ended, or the process that created it is gone
    /// and it was not kept (a client killed during a create, or while it held sandboxes it would have killed on
    /// dispose). Runs on each use of the provider, at most every 250 ms; any client of the state directory does it for
    /// every other.
    /// </summary>
    internal void Reap()
    {
        var now = DateTimeOffset.UtcNow;
        var last = Interlocked.Read(ref _lastReapTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerMillisecond * 250 || Interlocked.CompareExchange(ref _lastReapTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var id in _store.SandboxIds())
        {
            var record = _store.TryRead(id);
            if (record is null ? AbandonedBeforeItsRecord(id) : MustGo(record, now))
            {
                Destroy(id, null);
            }
        }

        foreach (var abandoned in _store.AbandonedCreations())
        {
            TryDeleteDirectory(abandoned);
        }
    }

    private static bool MustGo(LocalSandboxRecord record, DateTimeOffset now)
    {
        if (record.ExpiresAt is { } expires && expires <= now)
        {
            return true;
        }

        return CreatorProcess.HasEnded(record.Creator) == true && (!record.Keep || record.InitPid == 0);
    }

    // A sandbox directory without a readable record (its record is written before it is renamed into place, so only a
    // damaged one): a minute is long enough for any writer to have finished.
    private bool AbandonedBeforeItsRecord(string id)
    {
        try
        {
            return DateTime.UtcNow - Directory.GetLastWriteTimeUtc(_store.PathsFor(id).Dir) > TimeSpan.FromMinutes(1);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private LocalSandbox Find(string sandboxId, bool requireAlive = true)
    {
        var sandbox = TryLoad(sandboxId) ?? throw new NotFoundException(ProviderId, $"No local sandbox has the id '{sandboxId}'.");
        if (requireAlive)
        {
            sandbox.EnsureAlive();
        }

        return sandbox;
    }

    private LocalSandbox? TryLoad(string sandboxId)
    {
        // The record changes rarely (pause, resume) and maybe from another process: re-read it only when it changed.
        if (_sandboxes.TryGetValue(sandboxId, out var known) && known.RecordIsCurrent())
        {
            return known;
        }

        var record = _store.TryRead(sandboxId);
        if (record is null || record.InitPid == 0)
        {
            _sandboxes.TryRemove(sandboxId, out _);
            return null;
        }

        if (_sandboxes.TryGetValue(sandboxId, out var cached) && cached.Record.InitPid == record.InitPid)
        {
            cached.Record = record; // another process may have paused or resumed it
            return cached;
        }

        var sandbox = new LocalSandbox(record, _store.PathsFor(sandboxId));
        _sandboxes[sandboxId] = sandbox;
        return sandbox;
    }

    private SandboxInfo Describe(LocalSandbox sandbox) => new()
    {
        Id = sandbox.Id,
        Provider = ProviderId,
        Name = sandbox.Record.Name,
        Template = sandbox.Record.Template,
        Status = sandbox.Status,
        StartedAt = sandbox.Record.CreatedAt,
        ExpiresAt = sandbox.Record.ExpiresAt,
        Labels = sandbox.Record.Metadata,
        Cpus = sandbox.Record.Cpus,
        MemoryMb = sandbox.Record.MemoryMb,
    };

    private void Save(LocalSandbox sandbox, LocalSandboxRecord record)
    {
        sandbox.Record = record;
        _store.Write(record);
    }

    private void Destroy(string id, IReadOnlyList<string>? extraCgroups)
    {
        _sandboxes.TryRemove(id, out _);
        var record = _store.TryRead(id);
        var cgroups = (record?.Cgroups ?? []).Concat(extraCgroups ?? []).Concat(SandboxCgroups.Existing(_cgroups.Value, id)).Distinct().ToList();
        if (cgroups.Count > 0)
        {
            SandboxCgroups.KillAll(cgroups);
        }

        if (record is { InitPid: 0, LauncherPid: > 0 } launching && ProcessTable.IsAlive(launching.LauncherPid, launching.LauncherStartTime))
        {
            // Its creator died before the sandbox was ready: everything it started descends from the launcher.
            ProcessTable.KillTree(launching.LauncherPid, namespaces: false, launching.LauncherPid);
        }

        if (record is { InitPid: > 0 } r && ProcessTable.IsAlive(r.InitPid, r.InitStartTime))
        {
            // Without cgroups: killing pid 1 of the namespace kills everything in it. In process isolation the tree goes.
            if (r.Namespaces)
            {
                LibC.Kill(r.InitPid, (int)ProcessSignal.Continue);
                LibC.Kill(r.InitPid, (int)ProcessSignal.Kill);
            }
            else
            {
                ProcessTable.KillTree(r.InitPid, namespaces: false, r.InitPid);
            }

            WaitUntilGone(r.InitPid, r.InitStartTime);
            if (r.LauncherPid > 0)
            {
                // bwrap's outer process outlives the namespace's pid 1 by a moment.
                WaitUntilGone(r.LauncherPid, r.LauncherStartTime);
            }
        }

        if (record is { NetworkPid: > 0 } n && ProcessTable.IsAlive(n.NetworkPid, n.NetworkStartTime))
        {
            // slirp4netns holds the sandbox's network namespace open itself, so it outlives the sandbox's processes.
            LibC.Kill(n.NetworkPid, (int)ProcessSignal.Kill);
            WaitUntilGone(n.NetworkPid, n.NetworkStartTime);
        }

        SandboxCgroups.Remove(cgroups);
        WorkspaceDisk.Release(_store.PathsFor(id));
        TryDeleteDirectory(Path.Combine(_store.SandboxesDir, id));
    }

    private static void SignalAll(LocalSandbox sandbox, ProcessSignal signal)
    {
        foreach (var process in ProcessTable.SandboxProcesses(sandbox.Record.InitPid, sandbox.Record.Namespaces))
        {
            LibC.Kill(process.HostPid, (int)signal);
        }
    }

    private LocalPtySession Terminal(string sandboxId, int pid) =>
        _terminals.TryGetValue((sandboxId, pid), out var terminal)
            ? terminal
            : throw new NotFoundException(ProviderId, $"This client has no terminal with pid {pid} in sandbox {sandboxId}.");

    private LocalSnapshotRecord? ResolveSnapshot(string? idOrName)
    {
        if (string.IsNullOrEmpty(idOrName))
        {
            return null;
        }

        return _store.TryReadSnapshot(idOrName)
               ?? _store.Snapshots().Where(s => s.Name == idOrName).OrderByDescending(s => s.CreatedAt).FirstOrDefault()
               ?? throw new NotFoundException(ProviderId,
                   $"No local snapshot has the id or name '{idOrName}' (local sandboxes start from snapshots; there are no other templates).");
    }

    private static SnapshotInfo ToInfo(LocalSnapshotRecord record) => new()
    {
        Id = record.Id, Name = record.Name, SandboxId = record.SandboxId, CreatedAt = record.CreatedAt, SizeBytes = record.SizeBytes,
        Labels = record.Metadata,
    };

    private (string? Bubblewrap, bool Namespaces) ChooseIsolation()
    {
        if (_options.Isolation == IsolationMode.Process)
        {
            return (null, false);
        }

        var bubblewrap = BubblewrapProbe.Find(_options.BubblewrapPath, out var reason);
        if (bubblewrap is not null)
        {
            return (bubblewrap, true);
        }

        // No silent fallback: without namespaces, sandbox paths would mean host paths and commands would run unconfined.
        throw new BadConfigException(ProviderId,
            $"Local sandboxes need namespace isolation, but {reason}. Install bubblewrap (apt-get install bubblewrap, dnf install bubblewrap), " +
            "or ask for process isolation explicitly (config isolation=process: commands then run as plain processes that see the host's files and network).");
    }

    // The state directory, made reachable for the sandboxes' own unprivileged root (which binds its workspace from
    // there): every directory above must let it pass, and the ones this provider makes let only it and this user in.
    private bool PrepareStateRoot()
    {
        Directory.CreateDirectory(_store.SandboxesDir);
        Directory.CreateDirectory(_store.SnapshotsDir);
        LibC.Chmod(_store.SnapshotsDir, 0x1C0);
        if (!_identity.Mapped)
        {
            LibC.Chmod(_store.SandboxesDir, 0x1C0);
            return true;
        }

        foreach (var dir in new[] { _store.SandboxesDir, Path.GetDirectoryName(_store.SandboxesDir)! })
        {
            ShareWithJail(dir, 0x1C8);
        }

        // The state root itself: its group becomes the jails' and may only pass; what others may do is left as it is.
        if (LibC.Statx(-100, _options.StateRoot, 0, LibC.STATX_BASIC_STATS, out var rootStat) == 0 && (rootStat.Mode & 0x1) == 0)
        {
            LibC.Chown(_options.StateRoot, -1, _identity.HostGid);
            LibC.Chmod(_options.StateRoot, (rootStat.Mode & 0xFC7) | 0x8);
        }

        for (var dir = Path.GetDirectoryName(_options.StateRoot); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (LibC.Statx(-100, dir, 0, LibC.STATX_BASIC_STATS, out var st) != 0 || (st.Mode & 0x1) == 0 && !((st.Mode & 0x8) != 0 && st.Gid == _identity.HostGid))
            {
                throw new BadConfigException(ProviderId,
                    $"The state directory {_options.StateRoot} cannot be reached by the sandboxes' unprivileged root (host uid {_identity.HostUid}): " +
                    $"{dir} does not let other users pass. Choose a state directory that does (config state_dir or SANDBOXES_STATE_DIR; the default for root is /var/lib/sandboxes).");
            }
        }

        return true;
    }

    // Gives a directory this user's access and, when sandbox ids are mapped, the sandbox root's group the bits in mode.
    private void ShareWithJail(string dir, int mode)
    {
        if (_identity.Mapped)
        {
            LibC.Chown(dir, 0, _identity.HostGid);
            LibC.Chmod(dir, mode);
        }
        else
        {
            LibC.Chmod(dir, 0x1C0);
        }
    }

    // A workspace holds whatever its sandbox put there, links to host files included: nothing in it is followed.
    private static void TryDeleteDirectory(string dir) => ConfinedDirectory.RemoveHostTree(ProviderId, dir);

    // A killed process takes a moment to go (longer on a loaded machine): a destroyed sandbox leaves none behind, so wait,
    // but boundedly, since a process stuck in the kernel must not hang the caller.
    private static void WaitUntilGone(int pid, ulong startTime)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (ProcessTable.IsAlive(pid, startTime) && waited.Elapsed < TimeSpan.FromSeconds(2))
        {
            Thread.Sleep(2);
        }
    }

    private static string ThroughUtf8(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
}
