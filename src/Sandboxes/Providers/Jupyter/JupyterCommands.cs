using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Sandboxes.Providers.Jupyter;

/// <summary>
/// Commands of a Jupyter sandbox, run by its kernel's agent as subprocesses whose output goes to files: a foreground
/// command is a background one followed until it exits, so several commands can run at once and any client can follow,
/// wait for or feed any of them. The output of every followed command comes through the kernel's one
/// <see cref="CommandOutputHub"/>.
/// </summary>
internal sealed class JupyterCommands
{
    private readonly KernelAgent _agent;
    private readonly string _sandboxId;

    public JupyterCommands(KernelAgent agent, string sandboxId)
    {
        _agent = agent;
        _sandboxId = sandboxId;
    }

    public async Task<CommandHandle> StartAsync(RunCommandRequest request, string? cwd, CancellationToken cancellationToken)
    {
        JupyterProvider.ValidateEnvironment(request.Env);
        var answer = await _agent.CallAsync("start", w =>
        {
            w.WriteString("cmd", request.Cmd);
            if (cwd is not null)
            {
                w.WriteString("cwd", cwd);
            }

            if (request.Env is { Count: > 0 } env)
            {
                w.WriteStartObject("env");
                foreach (var (key, value) in env)
                {
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
            }

            if (request.Stdin is { } stdin && !request.KeepStdinOpen)
            {
                w.WriteString("stdin", Convert.ToBase64String(Encoding.UTF8.GetBytes(stdin)));
            }

            w.WriteBoolean("keep_stdin", request.KeepStdinOpen);
            if (request.TimeoutSeconds is { } timeout)
            {
                w.WriteNumber("timeout", timeout);
            }
        }, cancellationToken).ConfigureAwait(false);
        return new CommandHandle(answer.GetProperty("pid").GetInt32(), answer.GetProperty("handle").GetString()!);
    }

    public async Task<CommandResult> RunAsync(RunCommandRequest request, string? cwd, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var handle = await StartAsync(request, cwd, cancellationToken).ConfigureAwait(false);
        return await CollectAsync(FollowAsync(handle.HandleId, killWhenLeft: true, cancellationToken), started).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<CommandEvent> StreamAsync(RunCommandRequest request, string? cwd,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var handle = await StartAsync(request, cwd, cancellationToken).ConfigureAwait(false);
        await foreach (var e in FollowAsync(handle.HandleId, killWhenLeft: true, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    public Task<CommandResult> WaitAsync(string handleId, CancellationToken cancellationToken) =>
        CollectAsync(FollowAsync(handleId, killWhenLeft: false, cancellationToken), Stopwatch.GetTimestamp());

    /// <summary>The command's output from its start, then its exit; with <paramref name="killWhenLeft"/>, leaving early kills it.</summary>
    public async IAsyncEnumerable<CommandEvent> FollowAsync(string handleId, bool killWhenLeft,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var decoders = new[] { Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder() };
        var tails = new[] { new StringBuilder(), new StringBuilder() };
        var exited = false;
        using var follower = _agent.Output.Follow(handleId);
        try
        {
            while (true)
            {
                var news = await follower.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (Decode(decoders[0], news.Stdout) is { Length: > 0 } stdout)
                {
                    Remember(tails[0], stdout);
                    yield return CommandEvent.Stdout(stdout);
                }

                if (Decode(decoders[1], news.Stderr) is { Length: > 0 } stderr)
                {
                    Remember(tails[1], stderr);
                    yield return CommandEvent.Stderr(stderr);
                }

                if (news.ExitCode is { } code)
                {
                    exited = true;
                    if (news.TimedOut)
                    {
                        var seconds = news.TimeoutSeconds ?? 0;
                        throw new SandboxTimeoutException(JupyterProvider.ProviderId,
                            $"The command exceeded its timeout of {seconds.ToString(CultureInfo.InvariantCulture)} s; it and every process it started were killed.",
                            TimeSpan.FromSeconds(seconds), tails[0].ToString(), tails[1].ToString());
                    }

                    yield return CommandEvent.Exited(code, ExitError(code));
                    yield break;
                }
            }
        }
        finally
        {
            if (killWhenLeft && !exited)
            {
                // Cancelled or abandoned: the command goes, with every process it started.
                await _agent.CallAsync("kill_job", w => w.WriteString("handle", handleId), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    public Task WriteStdinAsync(string handleId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Mapped(_agent.CallAsync("write_stdin", w =>
        {
            w.WriteString("handle", handleId);
            w.WriteString("data", Convert.ToBase64String(data.Span));
        }, cancellationToken));

    public Task CloseStdinAsync(string handleId, CancellationToken cancellationToken) =>
        Mapped(_agent.CallAsync("close_stdin", w => w.WriteString("handle", handleId), cancellationToken));

    public Task KillAsync(int pid, ProcessSignal signal, CancellationToken cancellationToken) =>
        _agent.CallAsync("kill", w =>
        {
            w.WriteNumber("pid", pid);
            w.WriteNumber("signal_number", (int)signal);
        }, cancellationToken);

    public async Task<IReadOnlyList<ProcessInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var answer = await _agent.CallAsync("processes", null, cancellationToken).ConfigureAwait(false);
        return answer.EnumerateArray().Select(p => new ProcessInfo(
            p.GetProperty("pid").GetInt32(),
            p.GetProperty("command").GetString() ?? string.Empty,
            p.GetProperty("uid").GetInt32() == 0 ? "root" : p.GetProperty("uid").GetInt32().ToString(CultureInfo.InvariantCulture))).ToList();
    }

    private async Task Mapped(Task<JsonElement> call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (SandboxStateException state) when (state.SandboxId.Length == 0)
        {
            // The agent does not know which sandbox it is in; say it.
            throw new SandboxStateException(JupyterProvider.ProviderId, _sandboxId, SandboxStatus.Running, state.Message);
        }
    }

    private static async Task<CommandResult> CollectAsync(IAsyncEnumerable<CommandEvent> events, long started)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        await foreach (var e in events.ConfigureAwait(false))
        {
            switch (e.Kind)
            {
                case CommandEventKind.Stdout:
                    stdout.Append(e.Text);
                    break;
                case CommandEventKind.Stderr:
                    stderr.Append(e.Text);
                    break;
                case CommandEventKind.Exit:
                    return new CommandResult
                    {
                        Stdout = stdout.ToString(), Stderr = stderr.ToString(), ExitCode = e.ExitCode ?? -1, Error = e.Error,
                        Duration = Stopwatch.GetElapsedTime(started),
                    };
            }
        }

        throw new ProviderException(JupyterProvider.ProviderId, "The command's output ended without an exit status.");
    }

    /// <summary>Why a command ended abnormally: 128 + N is signal N.</summary>
    internal static string? ExitError(int code) => ExitStatus.KilledBy(code);

    private static string Decode(Decoder decoder, byte[] data)
    {
        if (data.Length == 0)
        {
            return string.Empty;
        }

        var chars = new char[Encoding.UTF8.GetMaxCharCount(data.Length)];
        var count = decoder.GetChars(data, chars, flush: false);
        return new string(chars, 0, count);
    }

    private static void Remember(StringBuilder tail, string text)
    {
        tail.Append(text);
        if (tail.Length > 64 * 1024)
        {
            tail.Remove(0, tail.Length - 32 * 1024);
        }
    }
}
