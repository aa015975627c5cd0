using System.Globalization;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>The local provider's settings, read from <see cref="ProviderConfig.Extra"/> and the environment.</summary>
internal sealed record LocalOptions
{
    /// <summary>The default size of a namespace sandbox's run directory (its background commands' output lives there).</summary>
    public const int DefaultRunDirectoryMb = 512;

    /// <summary>
    /// Where sandboxes and snapshots live: <c>state_dir</c>, else <c>SANDBOXES_STATE_DIR</c>, else
    /// <c>/var/lib/sandboxes</c> for root (its jails' unprivileged users must be able to reach their workspaces, which
    /// a home directory kept private does not allow), else <c>$XDG_STATE_HOME/sandboxes</c> or <c>~/.local/state/sandboxes</c>.
    /// </summary>
    public required string StateRoot { get; init; }

    /// <summary>What isolation was asked for: <c>auto</c> (namespaces, which bubblewrap must provide), <c>namespaces</c>, or <c>process</c>.</summary>
    public required IsolationMode Isolation { get; init; }

    /// <summary>The bubblewrap executable (<c>bwrap_path</c>), else found on PATH.</summary>
    public string? BubblewrapPath { get; init; }

    /// <summary>
    /// <c>cgroups = always</c>: give every sandbox cgroups (the freezer for pause, kill by cgroup), not only sandboxes with limits.
    /// </summary>
    public bool AlwaysCgroups { get; init; }

    /// <summary>The first host id of the range a root client's sandboxes map their users to (<c>uid_base</c>), else <see cref="IdentityMap.DefaultHostBase"/>.</summary>
    public long? UidBase { get; init; }

    /// <summary>The size limit of a namespace sandbox's run directory in bytes (<c>run_dir_size_mb</c>).</summary>
    public long RunDirectoryBytes { get; init; } = DefaultRunDirectoryMb * 1024L * 1024L;

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
            AlwaysCgroups = (config.GetExtra("cgroups") ?? "auto").Trim().ToLowerInvariant() switch
            {
                "auto" or "limits" => false,
                "always" => true,
                var other => throw new BadConfigException(LocalProvider.ProviderId, $"Config key 'cgroups' must be auto or always, not '{other}'."),
            },
            UidBase = Number(config, "uid_base", "SANDBOXES_LOCAL_UID_BASE"),
            RunDirectoryBytes = RunDirectoryMb(Number(config, "run_dir_size_mb", null) ?? DefaultRunDirectoryMb) * 1024L * 1024L,
        };
    }

    private static long RunDirectoryMb(long mb) =>
        mb is >= 1 and <= 1 << 20 ? mb : throw new BadConfigException(LocalProvider.ProviderId, $"Config key 'run_dir_size_mb' must be between 1 and {1 << 20}, not {mb}.");

    private static long? Number(ProviderConfig config, string key, string? variable)
    {
        var text = config.GetExtra(key) ?? (variable is null ? null : Environment.GetEnvironmentVariable(variable));
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new BadConfigException(LocalProvider.ProviderId, $"Config key '{key}' must be a whole number, not '{text}'.");
    }

    private static string DefaultStateRoot()
    {
        if (LibC.GetEuid() == 0)
        {
            return "/var/lib/sandboxes";
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "sandboxes");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".local", "state", "sandboxes");
    }
}
