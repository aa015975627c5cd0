using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Calls the agent module (<c>kernel_agent.py</c>) inside a sandbox's kernel: each call is one short
/// <c>execute_request</c> whose answer comes back as a display message of the agent's own MIME type. The agent is
/// installed on first use, and again after the kernel restarted. The output of the processes it launched arrives apart
/// from the calls, in batches under the kernel's output id, and is handed to each process this client launched.
/// </summary>
internal sealed class KernelAgent
{
    private const string Mime = "application/vnd.sandboxes.agent+json";
    private static readonly Lazy<string> Source = new(() =>
    {
        using var stream = typeof(KernelAgent).Assembly.GetManifestResourceStream("Sandboxes.Jupyter.kernel_agent.py")
                           ?? throw new InvalidOperationException("kernel_agent.py is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(reader.ReadToEnd()));
    });

    private const string OutputPrefix = "sandboxes-output-";

    private readonly KernelConnection _connection;
    private readonly string? _workspace;
    private readonly ConcurrentDictionary<string, KernelProcess> _processes = new(StringComparer.Ordinal);

    /// <param name="connection">The kernel's connection.</param>
    /// <param name="workspace">The working directory commands default to; null for the kernel's own.</param>
    public KernelAgent(KernelConnection connection, string? workspace)
    {
        _connection = connection;
        _workspace = workspace;
        connection.Listen(OutputPrefix + connection.KernelId, OnOutput);
    }

    /// <summary>The kernel's connection.</summary>
    public KernelConnection Connection => _connection;

    /// <summary>Calls an agent operation and returns its JSON answer.</summary>
    /// <exception cref="NotFoundException">The agent did not find what it was asked about.</exception>
    /// <exception cref="ProviderException">The agent failed.</exception>
    public async Task<JsonElement> CallAsync(string op, Action<Utf8JsonWriter>? arguments, CancellationToken cancellationToken)
    {
        var payload = Payload(op, arguments);
        for (var attempt = 0; ; attempt++)
        {
            var (answer, error) = await ExecuteAsync($"__import__('sys').modules['_sandboxes_agent'].call('{payload}')", cancellationToken)
                .ConfigureAwait(false);
            if (answer is { } value)
            {
                return Check(value);
            }

            if (attempt == 0 && error is { Name: "KeyError" } && error.Value.Contains("_sandboxes_agent", StringComparison.Ordinal))
            {
                await InstallAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw new ProviderException(JupyterProvider.ProviderId, $"The kernel's agent failed: {error?.ToString() ?? "it gave no answer"}.");
        }
    }

    /// <summary>Routes the output of a process launched under <paramref name="stream"/> to it until it is forgotten.</summary>
    public void Route(string stream, KernelProcess process) => _processes[stream] = process;

    /// <summary>Stops routing a process's output.</summary>
    public void Forget(string stream) => _processes.TryRemove(stream, out _);

    /// <summary>A batch of output: items of processes this client did not launch are someone else's and are ignored.</summary>
    private void OnOutput(KernelMessage? message, SandboxException? closed)
    {
        if (message is null)
        {
            foreach (var stream in _processes.Keys.ToList())
            {
                if (_processes.TryRemove(stream, out var gone))
                {
                    gone.Fail(closed!);
                }
            }

            return;
        }

        if (message.Type != "display_data" || !message.Content.TryGetProperty("data", out var data) || !data.TryGetProperty(Mime, out var batch)
            || batch.ValueKind != JsonValueKind.Object || !batch.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && JsonStrings.Member(item, "id") is { } stream && _processes.TryGetValue(stream, out var process))
            {
                process.Deliver(item);
            }
        }
    }

    private async Task InstallAsync(CancellationToken cancellationToken)
    {
        var code = "def _sandboxes_install():\n" +
                   "    import base64, sys, types\n" +
                   "    module = types.ModuleType('_sandboxes_agent')\n" +
                   $"    exec(compile(base64.b64decode('{Source.Value}').decode('utf-8'), '<sandboxes-agent>', 'exec'), module.__dict__)\n" +
                   "    sys.modules['_sandboxes_agent'] = module\n" +
                   "_sandboxes_install()\n" +
                   "del _sandboxes_install\n";
        var (_, error) = await ExecuteAsync(code, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new ProviderException(JupyterProvider.ProviderId, $"Could not install the agent in the kernel: {error}.");
        }

        // A fresh agent (a new kernel, or one that restarted) keeps its commands under the kernel's id.
        await CallAsync("configure", w =>
        {
            w.WriteString("kernel_id", _connection.KernelId);
            if (_workspace is not null)
            {
                w.WriteString("workspace", _workspace);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(JsonElement? Answer, ExecutionError? Error)> ExecuteAsync(string code, CancellationToken cancellationToken)
    {
        JsonElement? answer = null;
        ExecutionError? error = null;
        await _connection.ExecuteAsync(code, message =>
        {
            switch (message.Type)
            {
                case "display_data" when message.Content.TryGetProperty("data", out var data) && data.TryGetProperty(Mime, out var value):
                    answer = value.Clone();
                    break;
                case "error":
                    error = KernelOutput.Error(message);
                    break;
            }
        }, storeHistory: false, cancellationToken).ConfigureAwait(false);
        return (answer, error);
    }

    private static JsonElement Check(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("error", out var kind))
        {
            return answer;
        }

        var message = answer.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
        throw kind.GetString() switch
        {
            "NotFound" or "FileNotFoundError" => new NotFoundException(JupyterProvider.ProviderId, message),
            "BadCwd" => new BadConfigException(JupyterProvider.ProviderId, $"RunCommandRequest.Cwd {message}."),
            "Closed" => new SandboxStateException(JupyterProvider.ProviderId, string.Empty, SandboxStatus.Running, message),
            var other => new ProviderException(JupyterProvider.ProviderId, $"The kernel's agent failed: {other}: {message}"),
        };
    }

    private static string Payload(string op, Action<Utf8JsonWriter>? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("op", op);
            arguments?.Invoke(writer);
            writer.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.WrittenSpan);
    }
}
