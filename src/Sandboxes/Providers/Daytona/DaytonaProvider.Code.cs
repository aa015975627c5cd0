namespace Sandboxes.Providers.Daytona;

/// <summary>
/// Code contexts are the library's process contexts: an interpreter under a driver runs as a background command (a toolbox
/// session), fed through its stdin. The toolbox's own interpreter (<c>/process/interpreter</c>) serves only Python over a
/// WebSocket whose messages no spec describes, so it is not used.
/// </summary>
internal sealed partial class DaytonaProvider
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
