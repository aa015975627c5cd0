namespace Sandboxes;

public partial class SandboxClient
{
    /// <summary>
    /// Creates a sandbox on the chosen provider, failing over along <see cref="SandboxOptions.Fallback"/> when creation
    /// fails on the provider's side, then runs its preset's setup. <see cref="Sandbox.Selection"/> records the provider
    /// that served it and every one skipped, with the reason.
    /// </summary>
    /// <exception cref="BadConfigException">Bad input (unknown provider or preset, invalid value): no failover happens.</exception>
    /// <exception cref="FeatureNotSupportedException">An explicit option the provider cannot honour: no failover happens.</exception>
    /// <exception cref="ProvidersUnavailableException">Every provider of the chain failed on its side.</exception>
    /// <exception cref="SandboxSetupException">A preset's setup command failed; the sandbox was killed.</exception>
    public virtual Sandbox Create(SandboxOptions? options = null) => SyncBridge.Run(ct => CreateAsync(options, ct), CancellationToken.None);

    /// <inheritdoc cref="Create"/>
    public virtual async Task<Sandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var resolution = ResolveProvider(options.Provider);
        var chain = Chain(resolution.Provider, options.Fallback);
        var preset = options.Preset is { } presetName ? SandboxPresets.Get(presetName) : null;
        Log.ProviderChosen(_logger, resolution.Provider, resolution.Source, resolution.Reason);

        var skipped = new List<SkippedProvider>();
        for (var i = 0; i < chain.Count; i++)
        {
            var slot = Slot(chain[i]);
            var request = BuildRequest(options, preset, slot.Adapter.Descriptor.Capabilities);
            Sandbox sandbox;
            try
            {
                (sandbox, _) = await slot.Client.CreateSandboxAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (chain.Count > 1 && FailureClassifier.IsProviderSide(e))
            {
                var error = e as SandboxException ?? new ProviderException(chain[i], e.Message, innerException: e);
                skipped.Add(new SkippedProvider(chain[i], error.Message, error));
                SandboxTelemetry.Failovers.Add(1, SandboxTelemetry.Provider(chain[i]), new("error.type", SandboxTelemetry.ErrorType(error)));
                if (i == chain.Count - 1)
                {
                    throw new ProvidersUnavailableException(skipped, e);
                }

                Log.ProviderSkipped(_logger, chain[i], chain[i + 1], error.Message);
                continue;
            }

            sandbox.Selection = new ProviderSelection
            {
                Provider = chain[i],
                Source = i == 0 ? resolution.Source : ProviderSource.Fallback,
                Reason = i == 0 ? resolution.Reason : $"{string.Join(", ", skipped.Select(s => s.Provider))} failed",
                Skipped = skipped,
            };
            if (skipped.Count > 0)
            {
                Log.FailedOver(_logger, sandbox.Id, chain[i], string.Join(", ", skipped.Select(s => s.Provider)));
            }

            if (preset is { SetupCommands.Count: > 0 })
            {
                await RunSetupAsync(sandbox, preset, cancellationToken).ConfigureAwait(false);
            }

            return sandbox;
        }

        throw new InvalidOperationException("A failover chain is never empty.");
    }

    /// <summary>The providers to try: the first, then the fallbacks (each once, all known; a typo is bad input).</summary>
    private List<string> Chain(string first, IReadOnlyList<string>? fallback)
    {
        var chain = new List<string> { first };
        foreach (var name in fallback ?? _resolver.DefaultFallback)
        {
            if (!SandboxProviders.IsRegistered(name))
            {
                throw new BadConfigException(name, $"Unknown fallback provider '{name}'. Known providers: {string.Join(", ", SandboxProviders.Names)}.");
            }

            var id = SandboxProviders.Describe(name).Id;
            if (!chain.Contains(id, StringComparer.OrdinalIgnoreCase))
            {
                chain.Add(id);
            }
        }

        return chain;
    }

    /// <summary>The request for one provider: explicit options over the preset's defaults, which apply only where the provider can honour them.</summary>
    internal static CreateSandboxRequest BuildRequest(SandboxOptions options, SandboxPreset? preset, ProviderCapabilities capabilities)
    {
        T? Default<T>(T? value, Capability capability) where T : struct => value is not null && capabilities.Supports(capability) ? value : null;

        Dictionary<string, string>? envs = null;
        if (preset?.Envs is { Count: > 0 } || options.Envs is { Count: > 0 })
        {
            envs = new Dictionary<string, string>(preset?.Envs ?? new Dictionary<string, string>());
            foreach (var (key, value) in options.Envs ?? new Dictionary<string, string>())
            {
                envs[key] = value;
            }
        }

        return new CreateSandboxRequest
        {
            Template = options.Template ?? preset?.Template,
            Image = options.Image ?? (capabilities.Supports(Capability.Images) ? preset?.Image : null),
            Name = options.Name,
            Labels = options.Labels,
            Envs = envs,
            Cpus = options.Cpus ?? Default(preset?.Cpus, Capability.CpuLimit),
            MemoryMb = options.MemoryMb ?? Default(preset?.MemoryMb, Capability.MemoryLimit),
            DiskMb = options.DiskMb ?? Default(preset?.DiskMb, Capability.DiskLimit),
            // A preset's lifetime bounds a throwaway sandbox; a kept one is meant to be come back to and lives until
            // killed unless given a lifetime of its own.
            TimeoutSeconds = options.TimeoutSeconds ?? (options.Keep ? null : Default(preset?.TimeoutSeconds, Capability.Lifetime)),
            Gpu = options.Gpu,
            MaxProcesses = options.MaxProcesses,
            Network = options.Network ?? Default(preset?.Network, Capability.NetworkPolicy),
            NetworkAllow = options.NetworkAllow,
            Snapshot = options.Snapshot,
            Keep = options.Keep,
        };
    }

    private async Task RunSetupAsync(Sandbox sandbox, SandboxPreset preset, CancellationToken cancellationToken)
    {
        foreach (var command in preset.SetupCommands)
        {
            Log.PresetSetup(_logger, preset.Name, command, sandbox.Id);
            SandboxSetupException? failure = null;
            try
            {
                var result = await sandbox.RunCommandAsync(new RunCommandRequest(command) { TimeoutSeconds = preset.SetupCommandTimeoutSeconds },
                    cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    failure = new SandboxSetupException(sandbox.Provider, preset.Name, command, result);
                }
            }
            catch (SandboxException e)
            {
                failure = new SandboxSetupException(sandbox.Provider, preset.Name, command, null, e);
            }
            catch (OperationCanceledException)
            {
                await KillQuietlyAsync(sandbox).ConfigureAwait(false);
                throw;
            }

            if (failure is not null)
            {
                // A half-prepared sandbox is of no use to anyone: never hand it out, never leave it running.
                await KillQuietlyAsync(sandbox).ConfigureAwait(false);
                throw failure;
            }
        }
    }

    private async Task KillQuietlyAsync(Sandbox sandbox)
    {
        try
        {
            await sandbox.KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SandboxException e)
        {
            Log.KillAfterSetupFailed(_logger, sandbox.Id, e.Message);
        }
    }
}
