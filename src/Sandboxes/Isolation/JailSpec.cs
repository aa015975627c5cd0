namespace Sandboxes.Isolation;

/// <summary>What a bubblewrap jail is made of: its users, network, host directories and first program's environment.</summary>
internal sealed record JailSpec
{
    /// <summary>The bubblewrap executable.</summary>
    public required string Bubblewrap { get; init; }

    /// <summary>Which host ids the jail's users are.</summary>
    public required IdentityMap Identity { get; init; }

    /// <summary>The jail's host name.</summary>
    public required string Hostname { get; init; }

    /// <summary>True to keep the host's network namespace (the jail then reaches, and listens on, the host's network).</summary>
    public bool ShareNetwork { get; init; }

    /// <summary>The host directory seen read-only as <c>/etc</c> (see <see cref="EtcView"/>).</summary>
    public required string EtcView { get; init; }

    /// <summary>Host files bound read-only over files of the <c>/etc</c> view, by their name there.</summary>
    public IReadOnlyDictionary<string, string> EtcFiles { get; init; } = new Dictionary<string, string>();

    /// <summary>Host directories bound writable into the jail: host path to jail path.</summary>
    public IReadOnlyList<(string Host, string Jail)> WritableDirectories { get; init; } = [];

    /// <summary>Size-limited tmpfs mounts of the jail's own: jail path, size in bytes, mode.</summary>
    public IReadOnlyList<(string Jail, long SizeBytes, int Mode)> Tmpfs { get; init; } = [];

    /// <summary>Directories made in the jail (in one of its own file systems): jail path, mode.</summary>
    public IReadOnlyList<(string Jail, int Mode)> Directories { get; init; } = [];

    /// <summary>Read-only files made in the jail from a descriptor the caller opens: descriptor, jail path, mode.</summary>
    public IReadOnlyList<(int Fd, string Jail, int Mode)> DataFiles { get; init; } = [];

    /// <summary>Descriptors besides 0-2 that the caller opens for the jail (bubblewrap's info, data files, the first program's own); every other one is closed.</summary>
    public IReadOnlyList<int> InheritedDescriptors { get; init; } = [];

    /// <summary>The first program's working directory.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>The first program's whole environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>True to kill the jail when the process that started bubblewrap dies.</summary>
    public bool DieWithParent { get; init; }

    /// <summary>True to have bubblewrap write <c>{"child-pid": N}</c> to descriptor 3 (the host pid of the jail's first process).</summary>
    public bool ReportPid { get; init; }
}
