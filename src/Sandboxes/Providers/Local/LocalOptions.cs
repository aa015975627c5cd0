namespace Sandboxes.Providers.Local;

/// <summary>The local provider's settings, read from <see cref="ProviderConfig.Extra"/> and the environment.</summary>
internal sealed record LocalOptions
{
    /// <summary>Where sandboxes and snapshots live: <c>state_dir</c>, else <c>$XDG_STATE_HOME/sandboxes</c>, else <c>~/.local/state/sandboxes</c>.</summary>
    public required string StateRoot { get; init; }

    /// <summary>What isolation was asked for: <c>auto</c> (namespaces when bubblewrap works), <c>namespaces</c>, or <c>process</c>.</summary>
    public required IsolationMode Isolation { get; init; }

    /// <summary>The bubblewrap executable (<c>bwrap_path</c>), else found on PATH.</summary>
    public string? BubblewrapPath { get; init; }

    /// <summary>
    /// <c>cgroups = always</c>: give every sandbox cgroups (the freezer for pause, kill by cgroup), not only sandboxes with limits.
    /// </summary>
    public bool AlwaysCgroups { get; init; }

    /// <summary>
    /// Where the sandboxes' run directories live (see <see cref="RuntimeDirectory"/>): <c>runtime_dir</c>, else
    /// <c>$XDG_RUNTIME_DIR/sandboxes</c>, else <c>/dev/shm/sandboxes-UID</c>; null keeps them in the state directory.
    /// </summary>
    public string? RuntimeRoot { get; init; }

    public static LocalOptions From(ProviderConfig config)
    {
        var stateRoot = config.GetExtra("state_dir")
                        ?? Environment.GetEnvironmentVariable("SANDBOXES_STATE_DIR")
                        ?? DefaultStateRoot();
        var isolationText = config.GetExtra("isolation") ?? Environment.GetEnvironmentVariable("SANDBOXES_LOCAL_ISOLATION") ?? "auto";
        var isolation = isolationText.Trim().ToLowerInvariant() switch
        {
            "auto" or "" => IsolationMode.Auto,
            "namespaces" or "namespace" or "bwrap" or "bubblewrap" => IsolationMode.Namespaces,
            "process" or "none" => IsolationMode.Process,
            _ => throw new BadConfigException(LocalProvider.ProviderId,
                $"Config key 'isolation' must be auto, namespaces or process, not '{isolationText}'."),
        };
        return new LocalOptions
        {
            StateRoot = Path.GetFullPath(stateRoot),
            Isolation = isolation,
            BubblewrapPath = config.GetExtra("bwrap_path"),
            RuntimeRoot = RuntimeDirectory.Root(config.GetExtra("runtime_dir") ?? Environment.GetEnvironmentVariable("SANDBOXES_RUNTIME_DIR")),
            AlwaysCgroups = (config.GetExtra("cgroups") ?? "auto").Trim().ToLowerInvariant() switch
            {
                "auto" or "limits" => false,
                "always" => true,
                var other => throw new BadConfigException(LocalProvider.ProviderId, $"Config key 'cgroups' must be auto or always, not '{other}'."),
            },
        };
    }

    private static string DefaultStateRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "sandboxes");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".local", "state", "sandboxes");
    }
}
