using System.Text.Json;
using Sandboxes.Providers;

namespace Sandboxes.CodeExecution;

/// <summary>Context records as JSON files of the sandbox itself, in <c>/tmp/.sandboxes/SANDBOX/contexts</c>.</summary>
internal sealed class FileContextRegistry : IContextRegistry
{
    private readonly SandboxProvider _provider;

    public FileContextRegistry(SandboxProvider provider) => _provider = provider;

    public async Task SaveAsync(string sandboxId, ContextRecord record, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, CodeJsonContext.Default.ContextRecord);
        using var content = new MemoryStream(json, writable: false);
        await _provider.WriteFileAsync(sandboxId, RecordPath(sandboxId, record.Id), content, new WriteFileOptions { Mode = 0x180 },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<ContextRecord?> ReadAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await _provider.OpenReadAsync(sandboxId, RecordPath(sandboxId, contextId), cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, CodeJsonContext.Default.ContextRecord, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NotFoundException)
        {
            await RequireSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ContextRecord>> ListAsync(string sandboxId, CancellationToken cancellationToken)
    {
        IReadOnlyList<FileEntry> entries;
        try
        {
            entries = await _provider.ListDirectoryAsync(sandboxId, RegistryDir(sandboxId), cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            await RequireSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            return [];
        }

        var records = new List<ContextRecord>();
        foreach (var entry in entries.Where(e => !e.IsDir && e.Name.EndsWith(".json", StringComparison.Ordinal)))
        {
            if (await ReadAsync(sandboxId, entry.Name[..^5], cancellationToken).ConfigureAwait(false) is { } record)
            {
                records.Add(record);
            }
        }

        return records;
    }

    public Task RemoveAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        _provider.RemoveAsync(sandboxId, RecordPath(sandboxId, contextId), cancellationToken);

    private Task RequireSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        // A missing record means no such context; a missing sandbox must stay a NotFoundException about the sandbox.
        _provider.GetSandboxAsync(sandboxId, cancellationToken);

    private static string RegistryDir(string sandboxId) => $"/tmp/.sandboxes/{sandboxId}/contexts";

    private static string RecordPath(string sandboxId, string contextId) => $"{RegistryDir(sandboxId)}/{contextId}.json";
}
