using System.Runtime.CompilerServices;

namespace Sandboxes.Providers.Jupyter;

// Commands: subprocesses of the sandbox's kernel, through its agent (see JupyterCommands).
internal sealed partial class JupyterProvider
{
    public override async Task<CommandResult> RunCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var (commands, cwd) = await CommandsAsync(sandboxId, request.Cwd, cancellationToken).ConfigureAwait(false);
        return await commands.RunAsync(request, cwd, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<CommandEvent> StreamCommandAsync(string sandboxId, RunCommandRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (commands, cwd) = await CommandsAsync(sandboxId, request.Cwd, cancellationToken).ConfigureAwait(false);
        await foreach (var e in commands.StreamAsync(request, cwd, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    public override async Task<CommandHandle> StartCommandAsync(string sandboxId, RunCommandRequest request, CancellationToken cancellationToken)
    {
        var (commands, cwd) = await CommandsAsync(sandboxId, request.Cwd, cancellationToken).ConfigureAwait(false);
        return await commands.StartAsync(request, cwd, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<CommandResult> WaitForHandleAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        var (commands, _) = await CommandsAsync(sandboxId, null, cancellationToken).ConfigureAwait(false);
        return await commands.WaitAsync(handleId, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<CommandEvent> AttachCommandAsync(string sandboxId, string handleId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (commands, _) = await CommandsAsync(sandboxId, null, cancellationToken).ConfigureAwait(false);
        await foreach (var e in commands.FollowAsync(handleId, killWhenLeft: false, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    public override async Task WriteStdinAsync(string sandboxId, string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var (commands, _) = await CommandsAsync(sandboxId, null, cancellationToken).ConfigureAwait(false);
        await commands.WriteStdinAsync(handleId, data, cancellationToken).ConfigureAwait(false);
    }

    public override async Task CloseStdinAsync(string sandboxId, string handleId, CancellationToken cancellationToken)
    {
        var (commands, _) = await CommandsAsync(sandboxId, null, cancellationToken).ConfigureAwait(false);
        await commands.CloseStdinAsync(handleId, cancellationToken).ConfigureAwait(false);
    }

    public override async Task KillProcessAsync(string sandboxId, int pid, ProcessSignal signal, CancellationToken cancellationToken)
    {
        var (commands, _) = await CommandsAsync(sandboxId, null, cancellationToken).ConfigureAwait(false);
        await commands.KillAsync(pid, signal, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var (commands, _) = await CommandsAsync(sandboxId, null, cancellationToken).ConfigureAwait(false);
        return await commands.ListAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(JupyterCommands Commands, string? Cwd)> CommandsAsync(string sandboxId, string? cwd, CancellationToken cancellationToken)
    {
        var agent = await AgentAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var absolute = cwd is { Length: > 0 } ? (await PathsAsync(sandboxId, cancellationToken).ConfigureAwait(false)).Absolute(cwd) : null;
        return (new JupyterCommands(agent, sandboxId), absolute);
    }
}
