using Sandboxes.Providers;

namespace Sandboxes.Remote;

/// <summary>
/// Code contexts: an interpreter under one of the library's drivers runs as a background command with its stdin kept
/// open (<see cref="CodeExecution.ProcessCodeContexts"/>). An adapter whose vendor has a kernel of its own overrides these.
/// </summary>
internal abstract partial class RemoteProcessProvider
{
    public override Task<CodeContext> CreateCodeContextAsync(string sandboxId, CreateCodeContextRequest request, CancellationToken cancellationToken) =>
        _codeContexts.CreateAsync(sandboxId, request, cancellationToken);

    public override Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(string sandboxId, CancellationToken cancellationToken) =>
        _codeContexts.ListAsync(sandboxId, cancellationToken);

    public override Task<ExecutionResult> RunCodeInContextAsync(string sandboxId, RunCodeRequest request, CancellationToken cancellationToken) =>
        _codeContexts.RunAsync(sandboxId, request, cancellationToken);

    public override Task InterruptCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        _codeContexts.InterruptAsync(sandboxId, contextId, cancellationToken);

    public override Task RestartCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        _codeContexts.RestartAsync(sandboxId, contextId, cancellationToken);

    public override Task CloseCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken) =>
        _codeContexts.CloseAsync(sandboxId, contextId, cancellationToken);
}
