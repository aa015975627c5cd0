using System.Text.Json;
using Sandboxes.CodeExecution;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Records of process-based contexts kept by the sandbox's kernel agent, where every client of the kernel finds them:
/// a server of the user's lets the contents API reach only its root directory, so files in <c>/tmp</c> would not do.
/// </summary>
internal sealed class KernelContextRegistry : IContextRegistry
{
    private readonly Func<string, CancellationToken, Task<KernelAgent>> _agent;

    public KernelContextRegistry(Func<string, CancellationToken, Task<KernelAgent>> agent) => _agent = agent;

    public async Task SaveAsync(string sandboxId, ContextRecord record, CancellationToken cancellationToken)
    {
        var agent = await _agent(sandboxId, cancellationToken).ConfigureAwait(false);
        var json = JsonSerializer.Serialize(record, CodeJsonContext.Default.ContextRecord);
        await agent.CallAsync("contexts_put", w =>
        {
            w.WriteString("id", record.Id);
            w.WriteString("record", json);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ContextRecord?> ReadAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        var agent = await _agent(sandboxId, cancellationToken).ConfigureAwait(false);
        var answer = await agent.CallAsync("contexts_get", w => w.WriteString("id", contextId), cancellationToken).ConfigureAwait(false);
        return answer.GetProperty("record").GetString() is { } json ? JsonSerializer.Deserialize(json, CodeJsonContext.Default.ContextRecord) : null;
    }

    public async Task<IReadOnlyList<ContextRecord>> ListAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var agent = await _agent(sandboxId, cancellationToken).ConfigureAwait(false);
        var answer = await agent.CallAsync("contexts_list", null, cancellationToken).ConfigureAwait(false);
        return answer.GetProperty("records").EnumerateArray()
            .Select(r => JsonSerializer.Deserialize(r.GetString()!, CodeJsonContext.Default.ContextRecord)!)
            .ToList();
    }

    public async Task RemoveAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        var agent = await _agent(sandboxId, cancellationToken).ConfigureAwait(false);
        await agent.CallAsync("contexts_remove", w => w.WriteString("id", contextId), cancellationToken).ConfigureAwait(false);
    }
}
