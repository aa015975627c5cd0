using Sandboxes.Providers;

namespace Sandboxes.CapabilityGenerator.Tests.TestAdapters;

/// <summary>
/// A provider with gaps: its table (test-partial/provider.json) declares lifecycle, commands.run and the basic file
/// operations, so the generator must stub everything else, async-enumerable members included. Its lifecycle works in
/// memory, so tests can reach the stubs through the public <see cref="Sandboxer"/> and <see cref="Sandbox"/> API.
/// </summary>
[SandboxProvider("test-partial")]
internal sealed partial class PartialTestProvider : SandboxProvider
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SandboxInfo> _sandboxes = new();

    public PartialTestProvider(ProviderConfig config)
        : base(config)
    {
    }

    public override Task<SandboxInfo> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var info = new SandboxInfo { Id = Guid.NewGuid().ToString("n"), Provider = Name, StartedAt = DateTimeOffset.UtcNow };
        _sandboxes[info.Id] = info;
        return Task.FromResult(info);
    }

    public override Task<SandboxInfo> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        _sandboxes.TryGetValue(sandboxId, out var info)
            ? Task.FromResult(info)
            : throw new NotFoundException(Name, "sandbox " + sandboxId + " does not exist");

    public override Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(ListSandboxesFilter filter, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SandboxInfo>>(_sandboxes.Values.ToList());

    public override Task KillSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        _sandboxes.TryRemove(sandboxId, out _);
        return Task.CompletedTask;
    }

    public override Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken) => throw Unused();

    public override Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    public override Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken) => throw Unused();

    public override Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    // Emulated in the table: a real adapter would run mkdir -p as a command.
    public override Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    public override Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken) => throw Unused();

    private static InvalidOperationException Unused() => new("The test-partial provider exists to check the generator; it runs nothing.");
}
