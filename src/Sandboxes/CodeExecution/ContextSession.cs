using System.Globalization;
using System.Text;
using Sandboxes.Providers;

namespace Sandboxes.CodeExecution;

/// <summary>
/// This client's connection to one running context: it follows the interpreter's output from its start (a background
/// command, read with <see cref="SandboxProvider.AttachCommandAsync"/>), feeds requests to its stdin one at a time, and
/// hands each request the output between its start and end lines. Output of requests sent by other clients carries
/// other ids and is ignored.
/// </summary>
internal sealed class ContextSession : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(5);

    private readonly SandboxProvider _provider;
    private readonly string _sandboxId;
    private readonly ControlLineParser _stdout;
    private readonly ControlLineParser _stderr;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _lock = new();
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _unclaimed = new();
    private readonly Task _pump;
    private Pending? _current;
    private string? _stdoutRequest;
    private string? _stderrRequest;
    private bool _missing;

    public ContextSession(SandboxProvider provider, string sandboxId, ContextRecord record)
    {
        _provider = provider;
        _sandboxId = sandboxId;
        Record = record;
        _stdout = new ControlLineParser(record.Nonce);
        _stderr = new ControlLineParser(record.Nonce);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The context's record; its pid is filled in once the interpreter is ready.</summary>
    public ContextRecord Record { get; private set; }

    /// <summary>True once the interpreter has exited.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>
    /// Waits for the interpreter's ready line and returns its pid.
    /// </summary>
    /// <exception cref="RuntimeNotFoundException">The sandbox has no runtime for the language.</exception>
    public async Task<int> WaitReadyAsync(LanguageRuntime runtime, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        var first = await Task.WhenAny(_ready.Task, _exited.Task).WaitAsync(timeout.Token).ConfigureAwait(false);
        if (first == _ready.Task)
        {
            var pid = await _ready.Task.ConfigureAwait(false);
            Record = Record with { Pid = pid };
            return pid;
        }

        if (_missing)
        {
            throw new RuntimeNotFoundException(_provider.Name, runtime.Language, runtime.Searched);
        }

        var code = await _exited.Task.ConfigureAwait(false);
        throw new ProviderException(_provider.Name,
            $"The {runtime.Language} interpreter of the context exited with code {code} before it was ready: {Unclaimed()}");
    }

    /// <summary>Runs one request and returns its result; see <see cref="ProcessCodeContexts.RunAsync"/>.</summary>
    public async Task<ExecutionResult> RunAsync(RunCodeRequest request, ExecutionBuilder builder, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new Pending("r" + Nonce.New(), builder);
        try
        {
            if (_exited.Task.IsCompleted)
            {
                throw Exited(await _exited.Task.ConfigureAwait(false));
            }

            lock (_lock)
            {
                _current = pending;
            }

            var code = Encoding.UTF8.GetBytes(request.Code);
            var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{pending.Id} {code.Length}\n"));
            await _provider.WriteStdinAsync(_sandboxId, Record.HandleId, (byte[])[.. header, .. code], cancellationToken).ConfigureAwait(false);

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (request.TimeoutSeconds is { } seconds)
            {
                deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            try
            {
                await Task.WhenAny(pending.Done.Task, _exited.Task).WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Timed out or cancelled: interrupt the code, never the interpreter, and give it a moment to stop.
                await InterruptAsync(CancellationToken.None).ConfigureAwait(false);
                await Task.WhenAny(pending.Done.Task, _exited.Task, Task.Delay(InterruptGrace, CancellationToken.None)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new SandboxTimeoutException(_provider.Name,
                    $"The code exceeded its timeout of {request.TimeoutSeconds!.Value.ToString(CultureInfo.InvariantCulture)} s and was interrupted; the context and its variables are kept.",
                    TimeSpan.FromSeconds(request.TimeoutSeconds.Value), builder.Stdout, builder.Stderr);
            }

            if (!pending.Done.Task.IsCompleted)
            {
                var exitCode = await _exited.Task.ConfigureAwait(false);
                builder.SetError(new ExecutionError("InterpreterExited",
                    $"The interpreter exited with code {exitCode}; restart the context to use it again.", string.Empty));
                return builder.Build(exitCode);
            }

            var result = builder.Build(0);
            return result with { ExitCode = builder.ReportedExit ?? (result.Error is null ? 0 : 1) };
        }
        finally
        {
            lock (_lock)
            {
                if (ReferenceEquals(_current, pending))
                {
                    _current = null;
                }
            }

            _gate.Release();
        }
    }

    /// <summary>Sends Ctrl-C (SIGINT) to the interpreter and every process it started.</summary>
    public async Task InterruptAsync(CancellationToken cancellationToken)
    {
        if (Record.Pid <= 0 || _exited.Task.IsCompleted)
        {
            return;
        }

        await _provider.RunCommandAsync(_sandboxId, new RunCommandRequest(SignalTreeScript(Record.Pid, "INT")), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Kills the interpreter and every process it started.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        if (Record.Pid > 0 && !_exited.Task.IsCompleted)
        {
            await _provider.RunCommandAsync(_sandboxId, new RunCommandRequest(SignalTreeScript(Record.Pid, "KILL")), cancellationToken)
                .ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Signals a process tree, children first found through /proc (no ps needed in the sandbox).</summary>
    private static string SignalTreeScript(int pid, string signal) =>
        "__t() { for __c in $(cat /proc/$1/task/*/children 2>/dev/null); do echo \"$__c\"; __t \"$__c\"; done; }\n" +
        string.Create(CultureInfo.InvariantCulture, $"kill -{signal} {pid} $(__t {pid}) 2>/dev/null; true");

    private SandboxStateException Exited(int code) =>
        new(_provider.Name, _sandboxId, SandboxStatus.Running,
            $"The interpreter of code context {Record.Id} has exited (code {code}); restart the context (RestartCodeContext) to use it again.");

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var e in _provider.AttachCommandAsync(_sandboxId, Record.HandleId, _stop.Token).ConfigureAwait(false))
            {
                switch (e.Kind)
                {
                    case CommandEventKind.Stdout:
                        _stdout.Feed(e.Text, text => OnText(text, stdout: true), ev => OnEvent(ev, stdout: true));
                        break;
                    case CommandEventKind.Stderr:
                        _stderr.Feed(e.Text, text => OnText(text, stdout: false), ev => OnEvent(ev, stdout: false));
                        break;
                    case CommandEventKind.Exit:
                        _stdout.Flush(text => OnText(text, stdout: true));
                        _stderr.Flush(text => OnText(text, stdout: false));
                        _exited.TrySetResult(e.ExitCode ?? -1);
                        return;
                }
            }

            _exited.TrySetResult(-1);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            // The sandbox is gone or unreachable: nothing more will come from this interpreter.
            _exited.TrySetException(error);
        }
    }

    private void OnText(string text, bool stdout)
    {
        lock (_lock)
        {
            var active = stdout ? _stdoutRequest : _stderrRequest;
            if (_current is { } pending && active == pending.Id)
            {
                if (stdout)
                {
                    pending.Builder.AddStdout(text);
                }
                else
                {
                    pending.Builder.AddStderr(text);
                }
            }
            else if (active is null && _unclaimed.Length < 16 * 1024)
            {
                _unclaimed.Append(text); // the interpreter's own messages, for a start-up failure
            }
        }
    }

    private void OnEvent(ControlEvent e, bool stdout)
    {
        lock (_lock)
        {
            switch (e.Type)
            {
                case "ready":
                    _ready.TrySetResult(e.Int("pid") ?? 0);
                    return;
                case "missing":
                    _missing = true;
                    return;
                case "start":
                    if (stdout)
                    {
                        _stdoutRequest = e.Id;
                    }
                    else
                    {
                        _stderrRequest = e.Id;
                    }

                    return;
                case "end":
                    if (_current is { } pending && e.Id == pending.Id)
                    {
                        if (stdout)
                        {
                            pending.Builder.Apply(e);
                            pending.StdoutDone = true;
                        }
                        else
                        {
                            pending.StderrDone = true;
                        }

                        if (pending.StdoutDone && pending.StderrDone)
                        {
                            pending.Done.TrySetResult();
                        }
                    }

                    if (stdout)
                    {
                        _stdoutRequest = null;
                    }
                    else
                    {
                        _stderrRequest = null;
                    }

                    return;
                default:
                    if (stdout && _current is { } owner && _stdoutRequest == owner.Id)
                    {
                        owner.Builder.Apply(e);
                    }

                    return;
            }
        }
    }

    private string Unclaimed()
    {
        lock (_lock)
        {
            var text = _unclaimed.ToString().Trim();
            return text.Length == 0 ? "it printed nothing." : text;
        }
    }

    private sealed class Pending(string id, ExecutionBuilder builder)
    {
        public string Id { get; } = id;

        public ExecutionBuilder Builder { get; } = builder;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool StdoutDone { get; set; }

        public bool StderrDone { get; set; }
    }
}
