using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sandboxes.CodeExecution;

namespace Sandboxes.Providers.Jupyter;

// Code contexts. A context in the server's kernel language (Python) is a kernel of its own, held by a session of type
// "sandboxes-context" whose path names its sandbox: the kernel is the interpreter, with IPython's display system and
// matplotlib's inline backend. Other languages run under the library's drivers as commands of the sandbox's kernel
// (ProcessCodeContexts), like on any provider that runs processes.
internal sealed partial class JupyterProvider
{
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, NativeContext> _nativeContexts = new(StringComparer.Ordinal);

    public override async Task<CodeContext> CreateCodeContextAsync(string sandboxId, CreateCodeContextRequest request, CancellationToken cancellationToken)
    {
        if ((request.Language ?? CodeLanguage.Python) != CodeLanguage.Python)
        {
            return await _emulatedContexts.CreateAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        }

        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        var paths = await PathsAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var sandboxAgent = await AgentAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var info = await sandboxAgent.CallAsync("info", null, cancellationToken).ConfigureAwait(false);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in info.GetProperty("env").EnumerateObject())
        {
            env[property.Name] = property.Value.GetString() ?? string.Empty;
        }

        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var id = "ctx-" + Nonce.New()[..12];
        var session = await server.Rest.CreateSessionAsync(ContextPathPrefix(sandboxId) + id, id, ContextSessionType, _options.KernelName,
            cancellationToken).ConfigureAwait(false);
        var context = new NativeContext(sandboxId, id, session.Id, session.KernelId!, paths.Absolute(request.Cwd ?? paths.Workspace), env,
            DateTimeOffset.UtcNow);
        try
        {
            await InitializeAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ForgetKernelAsync(context.KernelId).ConfigureAwait(false);
            await server.Rest.DeleteSessionAsync(session.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _nativeContexts[id] = context;
        return context.Describe();
    }

    public override async Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        await GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var native = (await ContextSessionsAsync(server, sandboxId, cancellationToken).ConfigureAwait(false))
            .Select(s => _nativeContexts.TryGetValue(s.Name, out var known) ? known.Describe()
                : new CodeContext { Id = s.Name, SandboxId = sandboxId, Language = CodeLanguage.Python });
        var emulated = await _emulatedContexts.ListAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return native.Concat(emulated).ToList();
    }

    public override async Task<ExecutionResult> RunCodeInContextAsync(string sandboxId, RunCodeRequest request, CancellationToken cancellationToken)
    {
        if (await FindNativeAsync(sandboxId, request.ContextId!, cancellationToken).ConfigureAwait(false) is not { } context)
        {
            return await _emulatedContexts.RunAsync(sandboxId, request, cancellationToken).ConfigureAwait(false);
        }

        var connection = (await AgentAsync(context.KernelId, cancellationToken).ConfigureAwait(false)).Connection;
        var builder = new ExecutionBuilder(request, CodeLanguage.Python, context.Id);
        using var abandon = new CancellationTokenSource();
        var execution = connection.ExecuteAsync(request.Code, message => KernelOutput.Apply(message, builder), storeHistory: true, abandon.Token);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (request.TimeoutSeconds is { } seconds)
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        try
        {
            await execution.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!execution.IsCompleted)
        {
            // Timed out or cancelled: interrupt the kernel (KeyboardInterrupt), never restart it, and let it finish.
            await InterruptKernelAsync(context.KernelId, CancellationToken.None).ConfigureAwait(false);
            if (await Task.WhenAny(execution, Task.Delay(InterruptGrace, CancellationToken.None)).ConfigureAwait(false) != execution)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
            }

            _ = execution.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            throw new SandboxTimeoutException(ProviderId,
                $"The code exceeded its timeout of {request.TimeoutSeconds!.Value.ToString(CultureInfo.InvariantCulture)} s and was interrupted; the context and its variables are kept.",
                TimeSpan.FromSeconds(request.TimeoutSeconds.Value), builder.Stdout, builder.Stderr);
        }

        var result = builder.Build(0);
        return result with { ExitCode = result.Error is null ? 0 : 1 };
    }

    public override async Task InterruptCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        if (await FindNativeAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false) is not { } context)
        {
            await _emulatedContexts.InterruptAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false);
            return;
        }

        await InterruptKernelAsync(context.KernelId, cancellationToken).ConfigureAwait(false);
    }

    public override async Task RestartCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        if (await FindNativeAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false) is not { } context)
        {
            await _emulatedContexts.RestartAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        await ForgetKernelAsync(context.KernelId).ConfigureAwait(false);
        await server.Rest.RestartKernelAsync(context.KernelId, cancellationToken).ConfigureAwait(false);
        await InitializeAsync(context, cancellationToken).ConfigureAwait(false);
    }

    public override async Task CloseCodeContextAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        if (await FindNativeAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false) is not { } context)
        {
            await _emulatedContexts.CloseAsync(sandboxId, contextId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        _nativeContexts.TryRemove(contextId, out _);
        await ForgetKernelAsync(context.KernelId).ConfigureAwait(false);
        await server.Rest.DeleteSessionAsync(context.SessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Interrupts a kernel with the messaging protocol's <c>interrupt_request</c> on its control channel; a kernel that
    /// does not answer it within two seconds is interrupted through the REST API, which signals its process.
    /// </summary>
    private async Task InterruptKernelAsync(string kernelId, CancellationToken cancellationToken)
    {
        try
        {
            var connection = (await AgentAsync(kernelId, cancellationToken).ConfigureAwait(false)).Connection;
            using var answered = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            answered.CancelAfter(TimeSpan.FromSeconds(2));
            await connection.InterruptAsync(answered.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ProviderException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
            await server.Rest.InterruptKernelAsync(kernelId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A Python context of the sandbox, or null when the id names none (it may be a context of the drivers).</summary>
    private async Task<NativeContext?> FindNativeAsync(string sandboxId, string contextId, CancellationToken cancellationToken)
    {
        if (_nativeContexts.TryGetValue(contextId, out var known) && known.SandboxId == sandboxId)
        {
            return known;
        }

        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        var session = (await ContextSessionsAsync(server, sandboxId, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(s => s.Name == contextId && s.KernelId is not null);
        if (session is null)
        {
            return null;
        }

        // Started by another client: its directory and environment are not known here; a restart uses the sandbox's.
        var paths = await PathsAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var context = new NativeContext(sandboxId, contextId, session.Id, session.KernelId!, paths.Workspace, new Dictionary<string, string>(), null);
        return _nativeContexts.GetOrAdd(contextId, context);
    }

    /// <summary>Moves a context kernel to its directory and gives it its environment.</summary>
    private async Task InitializeAsync(NativeContext context, CancellationToken cancellationToken)
    {
        var settings = new MemoryStream();
        using (var writer = new Utf8JsonWriter(settings))
        {
            writer.WriteStartObject();
            writer.WriteString("cwd", context.Cwd);
            writer.WriteStartObject("env");
            foreach (var (key, value) in context.Env)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        var code = new StringBuilder()
            .Append("def _sandboxes_init():\n")
            .Append("    import base64, json, os\n")
            .Append("    settings = json.loads(base64.b64decode('").Append(Convert.ToBase64String(settings.ToArray())).Append("'))\n")
            .Append("    os.environ.update(settings['env'])\n")
            .Append("    os.makedirs(settings['cwd'], exist_ok=True)\n")
            .Append("    os.chdir(settings['cwd'])\n")
            .Append("_sandboxes_init()\n")
            .Append("del _sandboxes_init\n")
            .ToString();
        var connection = (await AgentAsync(context.KernelId, cancellationToken).ConfigureAwait(false)).Connection;
        ExecutionError? error = null;
        await connection.ExecuteAsync(code, message =>
        {
            if (message.Type == "error")
            {
                error = KernelOutput.Error(message);
            }
        }, storeHistory: false, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new ProviderException(ProviderId, $"Could not prepare the context's kernel: {error}.");
        }
    }

    /// <summary>A Python context: its session and kernel, and what it was created with.</summary>
    private sealed record NativeContext(string SandboxId, string Id, string SessionId, string KernelId, string Cwd,
        IReadOnlyDictionary<string, string> Env, DateTimeOffset? CreatedAt)
    {
        public CodeContext Describe() => new()
        {
            Id = Id, SandboxId = SandboxId, Language = CodeLanguage.Python, Cwd = Cwd, CreatedAt = CreatedAt,
        };
    }
}
