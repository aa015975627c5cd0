using Sandboxes.Remote;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Commands come from the remote-process kit; what is Jupyter's is how a process starts (the kernel's agent launches it
/// with pipes, as the server's user, and pushes its output) and how the kit's small files are read (through the agent
/// too: a server of the user's reaches neither <c>/tmp</c> nor hidden files through the contents API).
/// </summary>
internal sealed partial class JupyterProvider
{
    // The largest file the kit reads whole.
    private const int SmallFileLimit = 1024 * 1024;

    protected override async Task<RemoteProcess> LaunchAsync(string sandboxId, ProcessLaunch launch, CancellationToken cancellationToken)
    {
        // Everything runs as the server's user (launch.User is refused before: "user" is unsupported), which owns every
        // process of the sandbox, so what the kit would run as root sees them all as it is.
        var agent = await AgentAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var cwd = launch.Cwd is { Length: > 0 } ? (await PathsAsync(sandboxId, cancellationToken).ConfigureAwait(false)).Absolute(launch.Cwd) : null;
        var stream = NewNonce();
        var process = new KernelProcess(agent, stream);
        agent.Route(stream, process);
        try
        {
            await agent.CallAsync("launch", w =>
            {
                w.WriteString("stream", stream);
                w.WriteStartArray("argv");
                foreach (var word in launch.Argv)
                {
                    w.WriteStringValue(word);
                }

                w.WriteEndArray();
                w.WriteStartObject("env");
                foreach (var (key, value) in launch.Env)
                {
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
                if (cwd is not null)
                {
                    w.WriteString("cwd", cwd);
                }

                w.WriteBoolean("stdin", launch.Stdin);
            }, cancellationToken).ConfigureAwait(false);
            return process;
        }
        catch
        {
            agent.Forget(stream);
            throw;
        }
    }

    // The kernels of a server share its machine's process table: the agent gives every process it launches the id of
    // its sandbox (SANDBOX_VARIABLE in kernel_agent.py), so that listings and signals keep to the sandbox.
    protected override string? ProcessTag(string sandboxId) => "SANDBOXES_SANDBOX=" + sandboxId;

    protected override Task ValidateCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        ValidateEnvironment(request.Env);
        return Task.CompletedTask;
    }

    protected override async Task<byte[]> ReadSmallFileAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var agent = await AgentAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var answer = await agent.CallAsync("read", w =>
        {
            w.WriteString("path", path);
            w.WriteNumber("limit", SmallFileLimit);
        }, cancellationToken).ConfigureAwait(false);
        return answer.TryGetProperty("data", out var data)
            ? data.GetBytesFromBase64()
            : throw new SandboxIOException(ProviderId, path, JsonStrings.Member(answer, "refused") ?? "the kernel did not read it");
    }
}
