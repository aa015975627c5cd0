using Sandboxes.Providers;

namespace Sandboxes.CodeExecution;

/// <summary>
/// The base of adapters whose code contexts are the library's process contexts (<see cref="ProcessCodeContexts"/>): an
/// interpreter under a driver, run as one of the adapter's own background commands. It forwards the contract's context
/// members once, for every such adapter; an adapter with a kernel of its own overrides them.
/// </summary>
internal abstract class ProcessContextProvider : SandboxProvider
{
    private readonly ProcessCodeContexts _codeContexts;

    /// <summary>Creates the adapter's base with its configuration.</summary>
    protected ProcessContextProvider(ProviderConfig config)
        : base(config)
    {
        _codeContexts = new ProcessCodeContexts(this);
    }

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

    /// <summary>Drops this client's connections to the contexts of a sandbox that is being killed.</summary>
    protected Task ForgetCodeContextsAsync(string sandboxId) => _codeContexts.ForgetAsync(sandboxId);

    /// <summary>Disconnects from every context (the interpreters keep running for other clients), then the base.</summary>
    public override async ValueTask DisposeAsync()
    {
        await _codeContexts.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
