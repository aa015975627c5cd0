using System.Collections.Concurrent;

namespace Sandboxes;

public partial class SandboxClient
{
    // One creation at a time per provider and label set, so that two concurrent GetOrCreate calls in this process
    // share one sandbox instead of making two. (Across processes nothing can prevent it; the newest match wins.)
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _getOrCreateLocks = new(StringComparer.Ordinal);

    /// <summary>Creates a sandbox, runs one command in it, destroys it and returns the result (with <see cref="CommandResult.Selection"/>).</summary>
    public virtual CommandResult Run(string command, string? provider = null) =>
        SyncBridge.Run(ct => RunAsync(command, provider, ct), CancellationToken.None);

    /// <inheritdoc cref="Run(string, string?)"/>
    public virtual Task<CommandResult> RunAsync(string command, string? provider = null, CancellationToken cancellationToken = default) =>
        RunAsync(new RunCommandRequest(command), new SandboxOptions { Provider = provider }, cancellationToken);

    /// <summary>Creates a sandbox as <paramref name="options"/> say, runs one command, destroys the sandbox and returns the result.</summary>
    public virtual async Task<CommandResult> RunAsync(RunCommandRequest command, SandboxOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var results = await RunManyAsync([command], options, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Creates one sandbox, runs the commands in order in it (each whatever the previous one's exit code), destroys it.</summary>
    public virtual IReadOnlyList<CommandResult> RunMany(IEnumerable<string> commands, string? provider = null) =>
        SyncBridge.Run(ct => RunManyAsync(commands, provider, ct), CancellationToken.None);

    /// <inheritdoc cref="RunMany(IEnumerable{string}, string?)"/>
    public virtual Task<IReadOnlyList<CommandResult>> RunManyAsync(IEnumerable<string> commands, string? provider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return RunManyAsync(commands.Select(c => new RunCommandRequest(c)).ToList(), new SandboxOptions { Provider = provider }, cancellationToken);
    }

    /// <summary>Creates one sandbox as <paramref name="options"/> say, runs the commands in order, destroys it.</summary>
    public virtual async Task<IReadOnlyList<CommandResult>> RunManyAsync(IReadOnlyList<RunCommandRequest> commands, SandboxOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(options);
        if (commands.Count == 0)
        {
            throw new BadConfigException(options.Provider ?? string.Empty, "RunMany needs at least one command.");
        }

        // Checked before a sandbox is made: a blank command is bad input, not something to discover after a create.
        foreach (var command in commands)
        {
            if (string.IsNullOrWhiteSpace(command?.Cmd))
            {
                throw new BadConfigException(options.Provider ?? string.Empty, "A command must not be empty.");
            }
        }

        var sandbox = await CreateAsync(options with { Keep = false }, cancellationToken).ConfigureAwait(false);
        await using (sandbox.ConfigureAwait(false))
        {
            var results = new List<CommandResult>(commands.Count);
            foreach (var command in commands)
            {
                var result = await sandbox.RunCommandAsync(command, cancellationToken).ConfigureAwait(false);
                results.Add(result with { Selection = sandbox.Selection });
            }

            return results;
        }
    }

    /// <summary>Finds a running sandbox carrying all <paramref name="labels"/> (the newest when several do), or null.</summary>
    /// <remarks>The handle does not kill the sandbox when disposed.</remarks>
    public virtual Sandbox? Find(IReadOnlyDictionary<string, string> labels, string? provider = null) =>
        SyncBridge.Run(ct => FindAsync(labels, provider, ct), CancellationToken.None);

    /// <inheritdoc cref="Find"/>
    public virtual async Task<Sandbox?> FindAsync(IReadOnlyDictionary<string, string> labels, string? provider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
        {
            throw new BadConfigException(provider ?? string.Empty, "FindAsync needs at least one label.");
        }

        var resolution = ResolveProvider(provider);
        var slot = Slot(resolution.Provider);
        var found = await slot.Client.ListSandboxesAsync(new ListSandboxesFilter { Labels = labels, Status = SandboxStatus.Running },
            cancellationToken).ConfigureAwait(false);
        var newest = found.OrderByDescending(s => s.StartedAt ?? DateTimeOffset.MinValue).FirstOrDefault();
        if (newest is null)
        {
            return null;
        }

        var sandbox = await slot.Client.AttachSandboxAsync(newest.Id, cancellationToken).ConfigureAwait(false);
        sandbox.Selection = new ProviderSelection { Provider = resolution.Provider, Source = resolution.Source, Reason = resolution.Reason };
        return sandbox;
    }

    /// <summary>
    /// Returns the running sandbox carrying all <paramref name="labels"/>, creating one (with those labels and
    /// <paramref name="options"/>) when there is none. Such a sandbox is meant to be reused across sessions, so it is
    /// kept: disposing the handle does not kill it; call <see cref="Sandbox.KillAsync"/> when done with it.
    /// </summary>
    public virtual Sandbox GetOrCreate(IReadOnlyDictionary<string, string> labels, SandboxOptions? options = null) =>
        SyncBridge.Run(ct => GetOrCreateAsync(labels, options, ct), CancellationToken.None);

    /// <inheritdoc cref="GetOrCreate"/>
    public virtual async Task<Sandbox> GetOrCreateAsync(IReadOnlyDictionary<string, string> labels, SandboxOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new SandboxOptions();
        var provider = ResolveProvider(options.Provider).Provider;
        var key = provider + "\n" + string.Join("\n", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
        var gate = _getOrCreateLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await FindAsync(labels, provider, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return existing;
            }

            var merged = new Dictionary<string, string>(options.Labels ?? new Dictionary<string, string>());
            foreach (var (k, v) in labels)
            {
                merged[k] = v;
            }

            return await CreateAsync(options with { Provider = provider, Labels = merged, Keep = true }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
