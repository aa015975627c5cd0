using Sandboxes.Providers;

namespace Sandboxes.Providers;

/// <summary>
/// The contract every provider adapter implements. One instance serves one <see cref="Sandboxer"/> and may be used from many
/// threads. Every operation names its sandbox by id, so an adapter can serve sandboxes created by other processes.
/// Members carry <see cref="ProviderCapabilityAttribute"/>: the capability they belong to, and how the library may call
/// them (the operation's name, whether repeating it is safe, how long it may take). A provider whose table declares a
/// capability unsupported gets a generated override that throws <see cref="FeatureNotSupportedException"/>, and the
/// resilient decorator every client puts around an adapter is generated from the same declarations.
/// </summary>
/// <remarks>
/// Adapters are asynchronous only; the public synchronous API bridges to them. Adapters must not capture the caller's
/// context (use <c>ConfigureAwait(false)</c>), and must map every failure to the library's typed exceptions.
/// </remarks>
public abstract class SandboxProvider : IAsyncDisposable, IDisposable
{
    /// <summary>Creates the adapter with its configuration.</summary>
    protected SandboxProvider(ProviderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
    }

    /// <summary>The configuration the adapter was created with.</summary>
    public ProviderConfig Config { get; }

    /// <summary>The provider's descriptor (generated from its capability table).</summary>
    public abstract ProviderDescriptor Descriptor { get; }

    /// <summary>The provider id.</summary>
    public string Name => Descriptor.Id;

    // ---- Lifecycle ----

    /// <summary>Creates a sandbox and returns its description once it can run commands.</summary>
    [ProviderCapability(Capability.Ids.Lifecycle, Operation = "create")]
    public abstract Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken);

    /// <summary>Describes a sandbox; throws <see cref="NotFoundException"/> when it does not exist.</summary>
    [ProviderCapability(Capability.Ids.Lifecycle, Operation = "get", Idempotent = true)]
    public abstract Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Lists sandboxes matching the filter.</summary>
    [ProviderCapability(Capability.Ids.Lifecycle, Operation = "list", Idempotent = true)]
    public abstract Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken);

    /// <summary>Kills a sandbox and releases everything it holds; killing one that is already gone is not an error.</summary>
    [ProviderCapability(Capability.Ids.Lifecycle, Operation = "kill", Idempotent = true)]
    public abstract Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the sandbox's lifetime again: it ends <paramref name="timeoutSeconds"/> from now, whatever was set before
    /// (E2B's semantics: each call restarts the count).
    /// </summary>
    [ProviderCapability(Capability.Ids.LifetimeExtend, Operation = "timeout", Idempotent = true)]
    public abstract Task SetTimeoutAsync(string sandboxId, int timeoutSeconds, CancellationToken cancellationToken);

    // ---- Commands ----

    /// <summary>Runs a command to completion. A command that outlives its timeout is killed with its process tree and
    /// <see cref="SandboxTimeoutException"/> is thrown.</summary>
    [ProviderCapability(Capability.Ids.CommandsRun, Operation = "command", Timing = OperationTiming.Unbounded)]
    public abstract Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken);

    /// <summary>Runs a command, yielding its output as it is produced and its exit last.</summary>
    [ProviderCapability(Capability.Ids.CommandsStream, Operation = "command.stream", Timing = OperationTiming.Live)]
    public abstract IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken);

    /// <summary>Starts a command in the background and returns at once.</summary>
    [ProviderCapability(Capability.Ids.CommandsBackground, Operation = "command.start")]
    public abstract Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken);

    /// <summary>Waits for a background command and returns its result.</summary>
    [ProviderCapability(Capability.Ids.CommandsBackground, Operation = "command.wait", Idempotent = true, Timing = OperationTiming.Unbounded)]
    public abstract Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken);

    /// <summary>Follows a background command's output from its start, from any client, ending with its exit.</summary>
    [ProviderCapability(Capability.Ids.CommandsBackground, Operation = "command.attach", Idempotent = true, Timing = OperationTiming.Live)]
    public abstract IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId, CancellationToken cancellationToken);

    /// <summary>Writes to the stdin of a background command started with <see cref="RunCommandRequest.KeepStdinOpen"/>.</summary>
    [ProviderCapability(Capability.Ids.CommandsStdin, Operation = "command.stdin")]
    public abstract Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Closes the stdin of a background command.</summary>
    [ProviderCapability(Capability.Ids.CommandsStdin, Operation = "command.stdin.close", Idempotent = true)]
    public abstract Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken);

    /// <summary>Sends a signal to a process of the sandbox.</summary>
    [ProviderCapability(Capability.Ids.CommandsKill, Operation = "process.kill", Idempotent = true)]
    public abstract Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken);

    /// <summary>Lists the processes running in the sandbox.</summary>
    [ProviderCapability(Capability.Ids.CommandsList, Operation = "process.list", Idempotent = true)]
    public abstract Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken);

    // ---- Files ----

    /// <summary>Opens a sandbox file for reading. The stream is read incrementally; large files are never buffered whole.</summary>
    [ProviderCapability(Capability.Ids.FilesRead, Operation = "files.read", Idempotent = true, Timing = OperationTiming.Live)]
    public abstract Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>Writes a file (creating parent directories), replacing what was there.</summary>
    [ProviderCapability(Capability.Ids.FilesWrite, Operation = "files.write", Idempotent = true, Timing = OperationTiming.Unbounded)]
    public abstract Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken);

    /// <summary>Lists a directory.</summary>
    [ProviderCapability(Capability.Ids.FilesList, Operation = "files.list", Idempotent = true)]
    public abstract Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>Creates a directory and its parents.</summary>
    [ProviderCapability(Capability.Ids.FilesMakeDir, Operation = "files.mkdir", Idempotent = true)]
    public abstract Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>Removes a file, or a directory with everything in it.</summary>
    [ProviderCapability(Capability.Ids.FilesRemove, Operation = "files.remove", Idempotent = true)]
    public abstract Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken);

    /// <summary>Tells whether a path exists.</summary>
    [ProviderCapability(Capability.Ids.FilesExists, Operation = "files.exists", Idempotent = true)]
    public abstract Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken);

    // ---- PTY ----

    /// <summary>Opens a pseudo-terminal running a shell or the requested command.</summary>
    [ProviderCapability(Capability.Ids.Pty, Operation = "pty.create", Timing = OperationTiming.Live)]
    public abstract Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken);

    /// <summary>Resizes the terminal of the program with this pid.</summary>
    [ProviderCapability(Capability.Ids.Pty, Operation = "pty.resize", Idempotent = true)]
    public abstract Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken);

    /// <summary>Kills the program on a terminal and closes it.</summary>
    [ProviderCapability(Capability.Ids.Pty, Operation = "pty.kill", Idempotent = true)]
    public abstract Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken);

    /// <summary>Lists the terminals open in the sandbox.</summary>
    [ProviderCapability(Capability.Ids.Pty, Operation = "pty.list", Idempotent = true)]
    public abstract Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken);

    // ---- Lifecycle extras ----

    /// <summary>Freezes every process of the sandbox.</summary>
    [ProviderCapability(Capability.Ids.PauseResume, Operation = "pause", Idempotent = true)]
    public abstract Task PauseAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Continues a paused sandbox.</summary>
    [ProviderCapability(Capability.Ids.PauseResume, Operation = "resume", Idempotent = true)]
    public abstract Task ResumeAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Saves the sandbox's state; new sandboxes can start from it through <see cref="CreateSandboxRequest.Snapshot"/>.</summary>
    [ProviderCapability(Capability.Ids.Snapshot, Operation = "snapshot.create", Timing = OperationTiming.Unbounded)]
    public abstract Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken);

    /// <summary>Lists the snapshots of this provider.</summary>
    [ProviderCapability(Capability.Ids.Snapshot, Operation = "snapshot.list", Idempotent = true)]
    public abstract Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a snapshot.</summary>
    [ProviderCapability(Capability.Ids.Snapshot, Operation = "snapshot.delete", Idempotent = true)]
    public abstract Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken);

    /// <summary>Returns a URL at which a server listening on <paramref name="port"/> inside the sandbox is reachable.</summary>
    [ProviderCapability(Capability.Ids.Ports, Operation = "ports.url", Idempotent = true)]
    public abstract Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken);

    // ---- Code contexts ----

    /// <summary>
    /// Starts a persistent interpreter (a context) in the sandbox. Providers without a native interpreter delegate to the
    /// library's process-based contexts, which run a driver as a background command.
    /// </summary>
    [ProviderCapability(Capability.Ids.CodeContext, Operation = "code.context.create", Timing = OperationTiming.Unbounded)]
    public abstract Task<CodeContext> CreateCodeContextAsync(string sandboxId, CreateCodeContextRequest request, CancellationToken cancellationToken);

    /// <summary>Lists the contexts of a sandbox.</summary>
    [ProviderCapability(Capability.Ids.CodeContext, Operation = "code.context.list", Idempotent = true)]
    public abstract Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Runs code in the context named by <see cref="RunCodeRequest.ContextId"/>. Cancellation and the request's timeout
    /// interrupt the code without ending the context.
    /// </summary>
    [ProviderCapability(Capability.Ids.CodeContext, Operation = "code.run", Timing = OperationTiming.Unbounded)]
    public abstract Task<ExecutionResult> RunCodeInContextAsync(string sandboxId, RunCodeRequest request, CancellationToken cancellationToken);

    /// <summary>Interrupts the code running in a context (as Ctrl-C); the context keeps its state.</summary>
    [ProviderCapability(Capability.Ids.CodeContext, Operation = "code.context.interrupt", Idempotent = true)]
    public abstract Task InterruptCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken);

    /// <summary>Replaces a context's interpreter with a fresh one; its state is lost, its id is kept.</summary>
    [ProviderCapability(Capability.Ids.CodeContext, Operation = "code.context.restart", Timing = OperationTiming.Unbounded)]
    public abstract Task RestartCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken);

    /// <summary>Stops a context's interpreter and removes the context.</summary>
    [ProviderCapability(Capability.Ids.CodeContext, Operation = "code.context.close", Idempotent = true)]
    public abstract Task CloseCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken);

    // ---- Disposal ----

    /// <summary>Releases the adapter's resources (HTTP clients, forwarders). Sandboxes themselves are not killed.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => SyncBridge.Run(_ => DisposeAsync().AsTask(), CancellationToken.None);

    /// <summary>
    /// Builds the <see cref="FeatureNotSupportedException"/> for a capability this provider lacks: the member asked for,
    /// the table's note on why it is absent, and the providers that do support it. Used by generated stubs.
    /// </summary>
    protected FeatureNotSupportedException NotSupported(Capability capability, string member)
    {
        var note = Descriptor.Capabilities.Get(capability).Note;
        var why = string.IsNullOrWhiteSpace(note) ? string.Empty : note.TrimEnd('.') + ". ";
        return new(Name, capability, $"{member} is not available. {why}{SupportedByText(capability)}");
    }

    private static string SupportedByText(Capability capability)
    {
        var supporters = SandboxProviders.ProvidersSupporting(capability);
        return supporters.Count == 0 ? "No registered provider supports it." : "Supported by: " + string.Join(", ", supporters) + ".";
    }
}
