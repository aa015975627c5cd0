using System.Diagnostics.CodeAnalysis;

namespace Sandboxes;

/// <summary>
/// Something a provider can do: a group of operations (<see cref="Pty"/>, <see cref="Snapshot"/>) or a request field it can
/// honour (<see cref="MemoryLimit"/>, <see cref="RunAsUser"/>). An extensible value: providers may define their own.
/// The capability table of each provider (<c>specs/&lt;provider&gt;/provider.json</c>) says which are native, emulated or absent.
/// </summary>
public readonly partial struct Capability : IEquatable<Capability>
{
    /// <summary>Creates a capability from its identifier (lower case, dotted, for example <c>files.watch</c>).</summary>
    public Capability(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        _id = id;
    }

    // Null only in default(Capability).
    private readonly string? _id;

    /// <summary>The stable identifier used in capability tables and error messages.</summary>
    public string Id => _id ?? string.Empty;

    /// <summary>
    /// The identifiers of the well-known capabilities, usable in attributes. Each constant is the one declaration of a
    /// capability: the generator gives <see cref="Capability"/> a value of the same name and lists it in
    /// <see cref="WellKnown"/>, in this order (the order of tables and listings).
    /// </summary>
    [SuppressMessage("Design", "CA1034:Nested types should not be visible", Justification = "Groups the constants next to the values they name.")]
    [Providers.CapabilityIds]
    public static class Ids
    {
        /// <summary>Create, attach, list, kill and describe sandboxes.</summary>
        public const string Lifecycle = "lifecycle";
        /// <summary>Labels on create, and listing filtered by them.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.Labels and ListSandboxesFilter.Labels")]
        public const string Labels = "labels";
        /// <summary>Give a sandbox a lifetime after which it is reaped.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.TimeoutSeconds")]
        public const string Lifetime = "lifetime";
        /// <summary>Set a running sandbox's lifetime again, counted from now.</summary>
        public const string LifetimeExtend = "lifetime.extend";
        /// <summary>Environment variables for the sandbox and per command.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.Envs and RunCommandRequest.Env")]
        public const string Environment = "env";
        /// <summary>Start sandboxes from a container image (<see cref="CreateSandboxRequest.Image"/>).</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.Image")]
        public const string Images = "images";
        /// <summary>Run a command to completion.</summary>
        public const string CommandsRun = "commands.run";
        /// <summary>Start a command in the background and wait for it later, from any client.</summary>
        public const string CommandsBackground = "commands.background";
        /// <summary>Stream a command's output while it runs.</summary>
        public const string CommandsStream = "commands.stream";
        /// <summary>Write to and close the stdin of a running command.</summary>
        public const string CommandsStdin = "commands.stdin";
        /// <summary>Send a signal to a process.</summary>
        public const string CommandsKill = "commands.kill";
        /// <summary>List the processes of a sandbox.</summary>
        public const string CommandsList = "commands.list";
        /// <summary>Run a command as a given user inside the sandbox.</summary>
        [Providers.HonouredWithoutOperation("RunCommandRequest.User and CreatePtyRequest.User")]
        public const string RunAsUser = "user";
        /// <summary>Read files.</summary>
        public const string FilesRead = "files.read";
        /// <summary>Write files.</summary>
        public const string FilesWrite = "files.write";
        /// <summary>List directories.</summary>
        public const string FilesList = "files.list";
        /// <summary>Create directories.</summary>
        public const string FilesMakeDir = "files.mkdir";
        /// <summary>Remove files and directories.</summary>
        public const string FilesRemove = "files.remove";
        /// <summary>Ask whether a path exists.</summary>
        public const string FilesExists = "files.exists";
        /// <summary>Upload and download whole directories.</summary>
        [Providers.HonouredWithoutOperation("Sandbox.UploadAsync and DownloadAsync, from the files operations")]
        public const string FilesTransfer = "files.transfer";
        /// <summary>Watch a directory for changes.</summary>
        public const string FilesWatch = "files.watch";
        /// <summary>Interactive pseudo-terminals with resize.</summary>
        public const string Pty = "pty";
        /// <summary>Snapshot a sandbox and start new ones from the snapshot.</summary>
        public const string Snapshot = "snapshot";
        /// <summary>Pause a sandbox and resume it with nothing lost.</summary>
        public const string PauseResume = "pause";
        /// <summary>Reach a port of the sandbox from outside through a URL.</summary>
        public const string Ports = "ports";
        /// <summary>Choose the sandbox's network access (<see cref="Sandboxes.NetworkPolicy"/>).</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.Network")]
        public const string NetworkPolicy = "network";
        /// <summary>Let a sandbox reach named hosts or networks beyond its policy (<see cref="CreateSandboxRequest.NetworkAllow"/>).</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.NetworkAllow")]
        public const string NetworkAllow = "network.allow";
        /// <summary>Limit CPUs.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.Cpus")]
        public const string CpuLimit = "limits.cpu";
        /// <summary>Limit memory.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.MemoryMb")]
        public const string MemoryLimit = "limits.memory";
        /// <summary>Limit the number of processes.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.MaxProcesses")]
        public const string ProcessLimit = "limits.processes";
        /// <summary>Choose the disk size.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.DiskMb")]
        public const string DiskLimit = "limits.disk";
        /// <summary>Attach GPUs.</summary>
        [Providers.HonouredWithoutOperation("CreateSandboxRequest.Gpu")]
        public const string Gpu = "limits.gpu";
        /// <summary>Run code with persistent interpreter contexts and rich results.</summary>
        public const string CodeContext = "code.context";
    }

    /// <summary>Converts an identifier to a capability.</summary>
    public static implicit operator Capability(string id) => new(id);

    /// <summary>Compares two capabilities by identifier, ignoring case.</summary>
    public static bool operator ==(Capability left, Capability right) => left.Equals(right);

    /// <summary>Compares two capabilities by identifier, ignoring case.</summary>
    public static bool operator !=(Capability left, Capability right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(Capability other) => string.Equals(Id, other.Id, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Capability other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Id);

    /// <inheritdoc />
    public override string ToString() => Id;
}
