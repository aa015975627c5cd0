using Sandboxes.CodeExecution;

namespace Sandboxes;

public sealed partial class Sandbox
{
    /// <summary>
    /// Runs code once, in a fresh process: Python by default, or JavaScript, TypeScript, Bash, Go, Rust, Ruby, or any
    /// interpreter of the sandbox by name. Code that raises gives a result with <see cref="ExecutionResult.Error"/>;
    /// <see cref="ExecutionResult.Text"/> is the value of its last expression.
    /// </summary>
    /// <exception cref="RuntimeNotFoundException">The sandbox has no runtime for the language.</exception>
    /// <exception cref="SandboxTimeoutException">The code outlived <see cref="RunCodeRequest.TimeoutSeconds"/>.</exception>
    public ExecutionResult RunCode(string code, CodeLanguage? language = null) =>
        RunCode(new RunCodeRequest(code) { Language = language });

    /// <summary>Runs code in a persistent context: what earlier runs defined is still there.</summary>
    public ExecutionResult RunCode(string code, CodeContext context) =>
        RunCode(new RunCodeRequest(code) { ContextId = (context ?? throw new ArgumentNullException(nameof(context))).Id });

    /// <summary>Runs code once, or in a context when <see cref="RunCodeRequest.ContextId"/> is set.</summary>
    /// <exception cref="RuntimeNotFoundException">The sandbox has no runtime for the language.</exception>
    /// <exception cref="SandboxTimeoutException">The code outlived <see cref="RunCodeRequest.TimeoutSeconds"/>.</exception>
    public ExecutionResult RunCode(RunCodeRequest request) => SyncBridge.Run(ct => RunCodeAsync(request, ct), CancellationToken.None);

    /// <summary>Runs code once, in a fresh process; see <see cref="RunCode(string, CodeLanguage?)"/>.</summary>
    public Task<ExecutionResult> RunCodeAsync(string code, CodeLanguage? language = null, CancellationToken cancellationToken = default) =>
        RunCodeAsync(new RunCodeRequest(code) { Language = language }, cancellationToken);

    /// <summary>Runs code in a persistent context. Cancelling interrupts the code; the context and its state are kept.</summary>
    public Task<ExecutionResult> RunCodeAsync(string code, CodeContext context, CancellationToken cancellationToken = default) =>
        RunCodeAsync(new RunCodeRequest(code) { ContextId = (context ?? throw new ArgumentNullException(nameof(context))).Id }, cancellationToken);

    /// <summary>
    /// Runs code once, or in a context when <see cref="RunCodeRequest.ContextId"/> is set. Cancelling a one-off run kills
    /// its process; cancelling a run in a context interrupts the code and keeps the context.
    /// </summary>
    /// <exception cref="RuntimeNotFoundException">The sandbox has no runtime for the language.</exception>
    /// <exception cref="SandboxTimeoutException">The code outlived <see cref="RunCodeRequest.TimeoutSeconds"/>.</exception>
    public Task<ExecutionResult> RunCodeAsync(RunCodeRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(Capabilities, request);
        if (request.ContextId is null)
        {
            return OneOffRunner.RunAsync(this, request, cancellationToken);
        }

        return _provider.RunCodeInContextAsync(Id, request, cancellationToken);
    }

    /// <summary>Starts a persistent context (Python by default; also JavaScript, TypeScript, Bash and Ruby).</summary>
    /// <exception cref="RuntimeNotFoundException">The sandbox has no runtime for the language.</exception>
    /// <exception cref="FeatureNotSupportedException">The provider has no contexts, or the language has none.</exception>
    public CodeContext CreateCodeContext(CodeLanguage? language = null) =>
        CreateCodeContext(new CreateCodeContextRequest { Language = language });

    /// <summary>Starts a persistent context with a working directory and environment of its own.</summary>
    public CodeContext CreateCodeContext(CreateCodeContextRequest request) =>
        SyncBridge.Run(ct => CreateCodeContextAsync(request, ct), CancellationToken.None);

    /// <summary>Starts a persistent context; see <see cref="CreateCodeContext(CodeLanguage?)"/>.</summary>
    public Task<CodeContext> CreateCodeContextAsync(CodeLanguage? language = null, CancellationToken cancellationToken = default) =>
        CreateCodeContextAsync(new CreateCodeContextRequest { Language = language }, cancellationToken);

    /// <summary>Starts a persistent context with a working directory and environment of its own.</summary>
    public Task<CodeContext> CreateCodeContextAsync(CreateCodeContextRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(Capabilities, request);
        return _provider.CreateCodeContextAsync(Id, request, cancellationToken);
    }

    /// <summary>Lists the sandbox's contexts, including those other clients created.</summary>
    public IReadOnlyList<CodeContext> ListCodeContexts() => SyncBridge.Run(ListCodeContextsAsync, CancellationToken.None);

    /// <summary>Lists the sandbox's contexts, including those other clients created.</summary>
    public Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(CancellationToken cancellationToken = default)
    {
        return _provider.ListCodeContextsAsync(Id, cancellationToken);
    }

    /// <summary>Interrupts the code running in a context (as Ctrl-C); the run ends with a KeyboardInterrupt-like error.</summary>
    public void InterruptCodeContext(string contextId) => SyncBridge.Run(ct => InterruptCodeContextAsync(contextId, ct), CancellationToken.None);

    /// <summary>Interrupts the code running in a context (as Ctrl-C); the context keeps its state.</summary>
    public Task InterruptCodeContextAsync(string contextId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contextId);
        return _provider.InterruptCodeContextAsync(Id, contextId, cancellationToken);
    }

    /// <summary>Replaces a context's interpreter with a fresh one: its variables are gone, its id stays.</summary>
    public void RestartCodeContext(string contextId) => SyncBridge.Run(ct => RestartCodeContextAsync(contextId, ct), CancellationToken.None);

    /// <summary>Replaces a context's interpreter with a fresh one: its variables are gone, its id stays.</summary>
    public Task RestartCodeContextAsync(string contextId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contextId);
        return _provider.RestartCodeContextAsync(Id, contextId, cancellationToken);
    }

    /// <summary>Stops a context's interpreter and removes the context.</summary>
    public void CloseCodeContext(string contextId) => SyncBridge.Run(ct => CloseCodeContextAsync(contextId, ct), CancellationToken.None);

    /// <summary>Stops a context's interpreter and removes the context.</summary>
    public Task CloseCodeContextAsync(string contextId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contextId);
        return _provider.CloseCodeContextAsync(Id, contextId, cancellationToken);
    }
}
