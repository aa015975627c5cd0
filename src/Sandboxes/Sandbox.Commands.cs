using System.Runtime.CompilerServices;
using System.Text;

namespace Sandboxes;

public sealed partial class Sandbox
{
    /// <summary>
    /// Runs a command to completion and returns its output and exit code. With <see cref="RunCommandRequest.OnStdout"/> or
    /// <see cref="RunCommandRequest.OnStderr"/> set, output is delivered to them as it is produced.
    /// </summary>
    /// <exception cref="SandboxTimeoutException">The command outlived its timeout; its process tree was killed.</exception>
    public CommandResult RunCommand(RunCommandRequest request) => SyncBridge.Run(ct => RunCommandAsync(request, ct), CancellationToken.None);

    /// <summary>Runs a shell command line to completion.</summary>
    public CommandResult RunCommand(string cmd) => RunCommand(new RunCommandRequest(cmd));

    /// <summary>Runs a command to completion; see <see cref="RunCommand(RunCommandRequest)"/>.</summary>
    /// <exception cref="SandboxTimeoutException">The command outlived its timeout; its process tree was killed.</exception>
    public async Task<CommandResult> RunCommandAsync(RunCommandRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(Capabilities, request);
        var wantsCallbacks = request.OnStdout is not null || request.OnStderr is not null;
        if (!wantsCallbacks || !Capabilities.Supports(Capability.CommandsStream))
        {
            var result = await _provider.RunCommandAsync(Id, request, cancellationToken).ConfigureAwait(false);
            if (wantsCallbacks)
            {
                // No streaming here: deliver everything once, so callers see the same calls on every provider.
                if (result.Stdout.Length > 0)
                {
                    request.OnStdout?.Invoke(result.Stdout);
                }

                if (result.Stderr.Length > 0)
                {
                    request.OnStderr?.Invoke(result.Stderr);
                }
            }

            return result;
        }

        var started = DateTimeOffset.UtcNow;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        await foreach (var e in _provider.StreamCommandAsync(Id, request, cancellationToken).ConfigureAwait(false))
        {
            switch (e.Kind)
            {
                case CommandEventKind.Stdout:
                    stdout.Append(e.Text);
                    request.OnStdout?.Invoke(e.Text);
                    break;
                case CommandEventKind.Stderr:
                    stderr.Append(e.Text);
                    request.OnStderr?.Invoke(e.Text);
                    break;
                case CommandEventKind.Exit:
                    return new CommandResult
                    {
                        Stdout = stdout.ToString(), Stderr = stderr.ToString(), ExitCode = e.ExitCode ?? -1,
                        Duration = DateTimeOffset.UtcNow - started, Error = e.Error,
                    };
            }
        }

        throw new ProviderException(Provider, "The command's output ended without an exit status.");
    }

    /// <summary>Runs a shell command line to completion.</summary>
    public Task<CommandResult> RunCommandAsync(string cmd, CancellationToken cancellationToken = default) =>
        RunCommandAsync(new RunCommandRequest(cmd), cancellationToken);

    /// <summary>Runs commands in order in this sandbox; with <paramref name="stopOnError"/>, stops after the first that exits non-zero.</summary>
    public IReadOnlyList<CommandResult> RunCommands(IEnumerable<string> commands, bool stopOnError = false) =>
        SyncBridge.Run(ct => RunCommandsAsync(commands, stopOnError, ct), CancellationToken.None);

    /// <inheritdoc cref="RunCommands"/>
    public async Task<IReadOnlyList<CommandResult>> RunCommandsAsync(IEnumerable<string> commands, bool stopOnError = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var list = commands.ToList();
        if (list.Any(string.IsNullOrWhiteSpace))
        {
            throw new BadConfigException(Provider, "A command must not be empty.");
        }

        var results = new List<CommandResult>(list.Count);
        foreach (var command in list)
        {
            var result = await RunCommandAsync(command, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            if (stopOnError && !result.Succeeded)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>
    /// Runs a shell command line and yields its output as it is produced, then its exit; see
    /// <see cref="StreamCommandAsync(RunCommandRequest, CancellationToken)"/>.
    /// </summary>
    public IAsyncEnumerable<CommandEvent> StreamCommandAsync(string cmd, CancellationToken cancellationToken = default) =>
        StreamCommandAsync(new RunCommandRequest(cmd), cancellationToken);

    /// <summary>
    /// Runs a command and yields its stdout and stderr chunks as they are produced (tagged by stream), then its exit.
    /// Output of any size streams in bounded memory. For whole lines of text, read the events with
    /// <see cref="CommandEventExtensions.ReadLinesAsync"/>.
    /// </summary>
    /// <exception cref="SandboxTimeoutException">The command outlived its timeout; its process tree was killed.</exception>
    public async IAsyncEnumerable<CommandEvent> StreamCommandAsync(RunCommandRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(Capabilities, request);
        await foreach (var e in _provider.StreamCommandAsync(Id, request, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>Starts a command in the background and returns its pid and handle id at once.</summary>
    public CommandHandle StartCommand(RunCommandRequest request) => SyncBridge.Run(ct => StartCommandAsync(request, ct), CancellationToken.None);

    /// <summary>Starts a command in the background and returns its pid and handle id at once.</summary>
    public Task<CommandHandle> StartCommandAsync(RunCommandRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(Capabilities, request);
        return _provider.StartCommandAsync(Id, request, cancellationToken);
    }

    /// <summary>Waits for a background command (started by any client) and returns its result.</summary>
    public CommandResult WaitForHandle(string handleId) => SyncBridge.Run(ct => WaitForHandleAsync(handleId, ct), CancellationToken.None);

    /// <summary>Waits for a background command (started by any client) and returns its result.</summary>
    public Task<CommandResult> WaitForHandleAsync(string handleId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleId);
        return _provider.WaitForHandleAsync(Id, handleId, cancellationToken);
    }

    /// <summary>Follows a background command's output from its beginning, then its exit; works from any process.</summary>
    public IAsyncEnumerable<CommandEvent> AttachCommandAsync(string handleId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleId);
        return _provider.AttachCommandAsync(Id, handleId, cancellationToken);
    }

    /// <summary>Writes text to the stdin of a background command started with <see cref="RunCommandRequest.KeepStdinOpen"/>.</summary>
    public void WriteStdin(string handleId, string text) => SyncBridge.Run(ct => WriteStdinAsync(handleId, text, ct), CancellationToken.None);

    /// <summary>Writes text to the stdin of a background command started with <see cref="RunCommandRequest.KeepStdinOpen"/>.</summary>
    public Task WriteStdinAsync(string handleId, string text, CancellationToken cancellationToken = default) =>
        WriteStdinAsync(handleId, Utf8(text ?? string.Empty), cancellationToken);

    /// <summary>Writes bytes to the stdin of a background command.</summary>
    public Task WriteStdinAsync(string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleId);
        return _provider.WriteStdinAsync(Id, handleId, data, cancellationToken);
    }

    /// <summary>Closes the stdin of a background command (it then reads end-of-file).</summary>
    public void CloseStdin(string handleId) => SyncBridge.Run(ct => CloseStdinAsync(handleId, ct), CancellationToken.None);

    /// <summary>Closes the stdin of a background command (it then reads end-of-file).</summary>
    public Task CloseStdinAsync(string handleId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handleId);
        return _provider.CloseStdinAsync(Id, handleId, cancellationToken);
    }

    /// <summary>Sends a signal (SIGTERM by default) to a process of the sandbox.</summary>
    public void KillProcess(int pid, ProcessSignal signal = ProcessSignal.Terminate) =>
        SyncBridge.Run(ct => KillProcessAsync(pid, signal, ct), CancellationToken.None);

    /// <summary>Sends a signal (SIGTERM by default) to a process of the sandbox.</summary>
    public Task KillProcessAsync(int pid, ProcessSignal signal = ProcessSignal.Terminate, CancellationToken cancellationToken = default)
    {
        if (pid <= 0)
        {
            throw new BadConfigException(Provider, $"A process id is positive, not {pid}.");
        }

        return _provider.KillProcessAsync(Id, pid, signal, cancellationToken);
    }

    /// <summary>Lists the processes running in the sandbox.</summary>
    public IReadOnlyList<ProcessInfo> ListProcesses() => SyncBridge.Run(ListProcessesAsync, CancellationToken.None);

    /// <summary>Lists the processes running in the sandbox.</summary>
    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default) =>
        _provider.ListProcessesAsync(Id, cancellationToken);
}
