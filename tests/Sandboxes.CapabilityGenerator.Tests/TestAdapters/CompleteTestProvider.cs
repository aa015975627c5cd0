using Sandboxes.Providers;

namespace Sandboxes.CapabilityGenerator.Tests.TestAdapters;

/// <summary>
/// A provider whose table (test-complete/provider.json) declares every capability, implementing every contract member:
/// the generator must add its descriptor and registration and no stub. Its members are never called; the tests only
/// check that each one is a real implementation.
/// </summary>
[SandboxProvider("test-complete")]
internal sealed partial class CompleteTestProvider(ProviderConfig config) : SandboxProvider(config)
{
    public override Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken) => throw Unused();

    public override Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) => throw Unused();

    public override Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken) => throw Unused();

    public override Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken) => throw Unused();

    public override Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) => throw Unused();

    public override IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) => throw Unused();

    public override Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) => throw Unused();

    public override Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken) => throw Unused();

    public override IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId, CancellationToken cancellationToken) => throw Unused();

    public override Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => throw Unused();

    public override Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken) => throw Unused();

    public override Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken) => throw Unused();

    public override Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken) => throw Unused();

    public override Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    public override Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken) => throw Unused();

    public override Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    public override Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    public override Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    public override Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    public override Task<PtySession> CreatePtyAsync(string sandboxId, CreatePtyRequest request, CancellationToken cancellationToken) => throw Unused();

    public override Task ResizePtyAsync(string sandboxId, int pid, int rows, int cols, CancellationToken cancellationToken) => throw Unused();

    public override Task KillPtyAsync(string sandboxId, int pid, CancellationToken cancellationToken) => throw Unused();

    public override Task<IReadOnlyList<PtyInfo>> ListPtyAsync(string sandboxId, CancellationToken cancellationToken) => throw Unused();

    public override Task SetTimeoutAsync(string sandboxId, int timeoutSeconds, CancellationToken cancellationToken) => throw Unused();

    public override Task PauseAsync(string sandboxId, CancellationToken cancellationToken) => throw Unused();

    public override Task ResumeAsync(string sandboxId, CancellationToken cancellationToken) => throw Unused();

    public override Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name, CancellationToken cancellationToken) => throw Unused();

    public override Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken) => throw Unused();

    public override Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken) => throw Unused();

    public override Task<Uri> GetPortUrlAsync(string sandboxId, int port, CancellationToken cancellationToken) => throw Unused();

    public override Task<CodeContext> CreateCodeContextAsync(string sandboxId, CreateCodeContextRequest request, CancellationToken cancellationToken) => throw Unused();

    public override Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(string sandboxId, CancellationToken cancellationToken) => throw Unused();

    public override Task<ExecutionResult> RunCodeInContextAsync(string sandboxId, RunCodeRequest request, CancellationToken cancellationToken) => throw Unused();

    public override Task InterruptCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) => throw Unused();

    public override Task RestartCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) => throw Unused();

    public override Task CloseCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) => throw Unused();

    private static InvalidOperationException Unused() => new("The test-complete provider exists to check the generator; it runs nothing.");
}
