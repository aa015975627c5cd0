using System.Collections.Concurrent;
using Sandboxes.Providers;

namespace Sandboxes.CodeExecution;

/// <summary>
/// Persistent code contexts for any provider that runs processes: each context is a long-lived interpreter under a
/// driver (<c>Drivers/*</c>), started as a background command with its stdin kept open; requests go to its stdin, and
/// its output is followed with <see cref="SandboxProvider.AttachCommandAsync"/>. A context's record is kept where every
/// client finds it (<see cref="IContextRegistry"/>), so any client can list, use, restart and close it.
/// Adapters that declare <c>code.context</c> without a native interpreter delegate their contract members here.
/// </summary>
internal sealed class ProcessCodeContexts : IAsyncDisposable
{
    private readonly SandboxProvider _provider;
    private readonly IContextRegistry _registry;
    private readonly ConcurrentDictionary<(string Sandbox, string Context), ContextSession> _sessions = new();
    private readonly SemaphoreSlim _attach = new(1, 1);

    /// <param name="provider">The adapter whose commands run the interpreters.</param>
    /// <param name="registry">Where context records are kept; null for files of the sandbox.</param>
    public ProcessCodeContexts(SandboxProvider provider, IContextRegistry? registry = null)
    {
        _provider = provider;
        _registry = registry ?? new FileContextRegistry(provider);
    }

    /// <summary>Starts an interpreter for <see cref="CreateCodeContextRequest.Language"/>.</summary>
    /// <exception cref="FeatureNotSupportedException">The language has no contexts (compiled languages).</exception>
    /// <exception cref="RuntimeNotFoundException">The sandbox has no runtime for it.</exception>
    public async Task<CodeContext> CreateAsync(string sandboxId, CreateCodeContextRequest request, CancellationToken cancellationToken)
    {
        var language = request.Language ?? CodeLanguage.Python;
        var id = "ctx-" + Nonce.New()[..12];
        var session = await StartAsync(sandboxId, id, language, request.Cwd, request.Env, cancellationToken).ConfigureAwait(false);
        return ToContext(sandboxId, session.Record);
    }

    /// <summary>The contexts of a sandbox, oldest first.</summary>
    public async Task<IReadOnlyList<CodeContext>> ListAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var records = await _registry.ListAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return records.Select(r => ToContext(sandboxId, r)).OrderBy(c => c.CreatedAt).ToList();
    }

    /// <summary>Runs code in the context named by <see cref="RunCodeRequest.ContextId"/>.</summary>
    public async Task<ExecutionResult> RunAsync(string sandboxId, RunCodeRequest request, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(sandboxId, request.ContextId!, cancellationToken).ConfigureAwait(false);
        var builder = new ExecutionBuilder(request, new CodeLanguage(session.Record.Language), session.Record.Id);
        return await session.RunAsync(request, builder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Interrupts the code running in a context (Ctrl-C); the context and its state are kept.</summary>
    public async Task InterruptAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false);
        await session.InterruptAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces a context's interpreter with a fresh one (same id, language, directory and environment).</summary>
    public async Task RestartAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false);
        var record = session.Record;
        _sessions.TryRemove((sandboxId, contextId), out _);
        await session.KillAsync(cancellationToken).ConfigureAwait(false);
        await StartAsync(sandboxId, record.Id, new CodeLanguage(record.Language), record.Cwd, record.Env, cancellationToken,
            record.CreatedAt).ConfigureAwait(false);
    }

    /// <summary>Stops a context's interpreter and forgets the context.</summary>
    public async Task CloseAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false);
        _sessions.TryRemove((sandboxId, contextId), out _);
        await session.KillAsync(cancellationToken).ConfigureAwait(false);
        await _registry.RemoveAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops this client's connections to the contexts of a sandbox that was killed.</summary>
    public async Task ForgetAsync(string sandboxId)
    {
        foreach (var key in _sessions.Keys.Where(k => k.Sandbox == sandboxId).ToList())
        {
            if (_sessions.TryRemove(key, out var session))
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Disconnects from every context; the interpreters keep running for other clients.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var key in _sessions.Keys.ToList())
        {
            if (_sessions.TryRemove(key, out var session))
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }

        _attach.Dispose();
    }

    private async Task<ContextSession> StartAsync(string sandboxId, string id, CodeLanguage language, string? cwd,
        IReadOnlyDictionary<string, string>? env, CancellationToken cancellationToken, DateTimeOffset? createdAt = null)
    {
        var runtime = LanguageRuntime.For(language, _provider.Name);
        if (!runtime.HasContexts)
        {
            throw new FeatureNotSupportedException(_provider.Name, Capability.CodeContext,
                $"contexts run {string.Join(", ", LanguageRuntime.ContextLanguages)}; {language} has none, but RunCode runs it once.");
        }

        var nonce = Nonce.New();
        var handle = await _provider.StartCommandAsync(sandboxId, new RunCommandRequest(runtime.ContextScript(nonce))
        {
            KeepStdinOpen = true,
            Cwd = cwd,
            Env = env,
        }, cancellationToken).ConfigureAwait(false);
        var record = new ContextRecord
        {
            Id = id, Language = language.Id, HandleId = handle.HandleId, Pid = handle.Pid, Nonce = nonce, Cwd = cwd,
            Env = env?.ToDictionary(), CreatedAt = createdAt ?? DateTimeOffset.UtcNow,
        };
        var session = new ContextSession(_provider, sandboxId, record);
        try
        {
            await session.WaitReadyAsync(runtime, cancellationToken).ConfigureAwait(false);
            await _registry.SaveAsync(sandboxId, session.Record, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.KillAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _sessions[(sandboxId, id)] = session;
        return session;
    }

    private async Task<ContextSession> SessionAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue((sandboxId, contextId), out var session))
        {
            return session;
        }

        // A context this client did not start: attach to its interpreter (once, even when asked from several threads).
        await _attach.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sessions.TryGetValue((sandboxId, contextId), out session))
            {
                return session;
            }

            var record = (IsContextId(contextId) ? await _registry.ReadAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false) : null)
                         ?? throw new NotFoundException(_provider.Name, $"The sandbox {sandboxId} has no code context '{contextId}'.");
            session = new ContextSession(_provider, sandboxId, record);
            _sessions[(sandboxId, contextId)] = session;
            return session;
        }
        finally
        {
            _attach.Release();
        }
    }

    private static bool IsContextId(string id) =>
        id.StartsWith("ctx-", StringComparison.Ordinal) && id.Length <= 40 && id.Skip(4).All(char.IsAsciiLetterOrDigit);

    private static CodeContext ToContext(string sandboxId, ContextRecord record) => new()
    {
        Id = record.Id, SandboxId = sandboxId, Language = new CodeLanguage(record.Language), Cwd = record.Cwd, CreatedAt = record.CreatedAt,
    };
}
