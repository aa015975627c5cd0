using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sandboxes.Emulators.E2B.Rpc.Process;

namespace Sandboxes.Emulators.E2B;

public sealed partial class E2BEmulator
{
    private const string ProcessPrefix = "/process.Process/";

    private void MapProcessService(IEndpointRouteBuilder routes)
    {
        routes.MapPost(ProcessPrefix + "Start", StartAsync).WithName("process.Process/Start");
        routes.MapPost(ProcessPrefix + "Connect", ConnectProcessAsync).WithName("process.Process/Connect");
        Unary<ListRequest, ListResponse>(routes, ProcessPrefix + "List", ListRequest.Parser, ListProcessesAsync);
        Unary<SendInputRequest, SendInputResponse>(routes, ProcessPrefix + "SendInput", SendInputRequest.Parser, SendInputAsync);
        Unary<CloseStdinRequest, CloseStdinResponse>(routes, ProcessPrefix + "CloseStdin", CloseStdinRequest.Parser, CloseStdinAsync);
        Unary<SendSignalRequest, SendSignalResponse>(routes, ProcessPrefix + "SendSignal", SendSignalRequest.Parser, SendSignalAsync);
        Unary<UpdateRequest, UpdateResponse>(routes, ProcessPrefix + "Update", UpdateRequest.Parser, UpdateAsync);
        routes.MapPost(ProcessPrefix + "StreamInput", Unimplemented).WithName("process.Process/StreamInput");
    }

    /// <summary>Maps a unary procedure: strict parsing, the handler, Connect errors.</summary>
    private void Unary<TRequest, TResponse>(IEndpointRouteBuilder routes, string path, MessageParser<TRequest> parser,
        Func<EmulatedSandbox, TRequest, HttpRequest, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage
    {
        routes.MapPost(path, async context =>
        {
            if (await EnvdSandboxAsync(context) is not { } sandbox)
            {
                return;
            }

            try
            {
                var (request, json) = await ConnectServer.ReadUnaryAsync(context.Request, parser);
                var response = await handler(sandbox, request, context.Request);
                await ConnectServer.WriteUnaryAsync(context.Response, response, json);
            }
            catch (ConnectRpcException e)
            {
                await ConnectServer.WriteUnaryErrorAsync(context.Response, e);
            }
            catch (SandboxException e)
            {
                await ConnectServer.WriteUnaryErrorAsync(context.Response, Translate(e));
            }
        }).WithName(path.TrimStart('/'));
    }

    private static Task Unimplemented(HttpContext context) =>
        ConnectServer.WriteUnaryErrorAsync(context.Response, new ConnectRpcException("unimplemented", $"{context.Request.Path} is not emulated"));

    private async Task StartAsync(HttpContext context)
    {
        if (await EnvdSandboxAsync(context) is not { } sandbox)
        {
            return;
        }

        StartRequest request;
        bool json;
        string user;
        try
        {
            (request, json) = await ConnectServer.ReadStreamRequestAsync(context.Request, StartRequest.Parser);
            user = await UserAsync(sandbox, BasicUser(context.Request));
        }
        catch (ConnectRpcException e)
        {
            // Refused before the stream starts, as envd's authentication and protocol layers do.
            await ConnectServer.WriteUnaryErrorAsync(context.Response, e);
            return;
        }

        var stream = new ConnectServerStream(context.Response, json);
        EmulatedProcess process;
        ChannelReader<ProcessEvent> events;
        try
        {
            (process, events) = await LaunchAsync(sandbox, request, user, ServerTimeout(context.Request));
        }
        catch (Exception e) when (e is ConnectRpcException or SandboxException)
        {
            await stream.EndAsync(e as ConnectRpcException ?? Translate((SandboxException)e), context.RequestAborted);
            return;
        }

        await PipeAsync(context, process, events, stream);
    }

    private async Task ConnectProcessAsync(HttpContext context)
    {
        if (await EnvdSandboxAsync(context) is not { } sandbox)
        {
            return;
        }

        ConnectRequest request;
        bool json;
        try
        {
            (request, json) = await ConnectServer.ReadStreamRequestAsync(context.Request, ConnectRequest.Parser);
        }
        catch (ConnectRpcException e)
        {
            await ConnectServer.WriteUnaryErrorAsync(context.Response, e);
            return;
        }

        var stream = new ConnectServerStream(context.Response, json);
        EmulatedProcess process;
        try
        {
            process = Find(sandbox, request.Process);
        }
        catch (ConnectRpcException e)
        {
            await stream.EndAsync(e, context.RequestAborted);
            return;
        }

        await PipeAsync(context, process, process.Subscribe(), stream);
    }

    /// <summary>Starts the process in the local sandbox and the pump that fans its output out; returns the first stream's events.</summary>
    private async Task<(EmulatedProcess Process, ChannelReader<ProcessEvent> Events)> LaunchAsync(EmulatedSandbox sandbox, StartRequest request,
        string user, TimeSpan? timeout)
    {
        var config = request.Process ?? throw new ConnectRpcException("invalid_argument", "process is required");
        if (string.IsNullOrEmpty(config.Cmd))
        {
            throw new ConnectRpcException("invalid_argument", "process.cmd is required");
        }

        var cwd = config.HasCwd ? ResolvePath(config.Cwd, user) : Home(user);
        if (await EntryAsync(sandbox, cwd) is not { IsDir: true })
        {
            throw new ConnectRpcException("invalid_argument", $"cwd '{cwd}' does not exist");
        }

        var line = "exec " + string.Join(' ', new[] { config.Cmd }.Concat(config.Args).Select(Quote));
        var env = config.Envs.ToDictionary(p => p.Key, p => p.Value);
        EmulatedProcess process;
        if (request.Pty is { } pty)
        {
            if (pty.Size is not { Rows: > 0, Cols: > 0 } size)
            {
                throw new ConnectRpcException("invalid_argument", "pty.size needs rows and cols");
            }

            var session = await sandbox.Local.CreatePtyAsync(new CreatePtyRequest
            {
                Rows = (int)size.Rows, Cols = (int)size.Cols, Cwd = cwd, Env = env, User = user, Command = line,
            });
            process = new EmulatedProcess((uint)session.Pid, config, request.HasTag ? request.Tag : null, null, session, stdinOpen: false);
        }
        else
        {
            // stdin is optional in the proto for old clients; envd then keeps it open.
            var stdin = !request.HasStdin || request.Stdin;
            var handle = await sandbox.Local.StartCommandAsync(new RunCommandRequest(line) { Cwd = cwd, Env = env, User = user, KeepStdinOpen = stdin });
            process = new EmulatedProcess((uint)handle.Pid, config, request.HasTag ? request.Tag : null, handle.HandleId, null, stdin);
        }

        var events = process.Subscribe();
        sandbox.Processes[process.Pid] = process;
        if (timeout is { } limit)
        {
            // envd gives the process the call's deadline and then kills it (its main process, with SIGKILL).
            process.Deadline = new Timer(_ => _ = KillQuietlyAsync(sandbox, process.Pid), null, limit, Timeout.InfiniteTimeSpan);
        }

        _ = PumpAsync(sandbox, process);
        return (process, events);
    }

    /// <summary>Reads the local process's output and end, and publishes them as envd's events.</summary>
    private static async Task PumpAsync(EmulatedSandbox sandbox, EmulatedProcess process)
    {
        ProcessEvent? end = null;
        try
        {
            if (process.Pty is { } pty)
            {
                var buffer = new byte[16 * 1024];
                int n;
                while ((n = await pty.ReadAsync(buffer)) > 0)
                {
                    process.Publish(new ProcessEvent { Data = new ProcessEvent.Types.DataEvent { Pty = ByteString.CopyFrom(buffer, 0, n) } });
                }

                var code = await pty.WaitForExitAsync();
                end = GoProcessStatus.End(code, code is > 128 and < 160 ? code - 128 : null);
            }
            else
            {
                await foreach (var e in sandbox.Local.AttachCommandAsync(process.HandleId!))
                {
                    switch (e.Kind)
                    {
                        case CommandEventKind.Stdout:
                            process.Publish(new ProcessEvent { Data = new ProcessEvent.Types.DataEvent { Stdout = ByteString.CopyFromUtf8(e.Text) } });
                            break;
                        case CommandEventKind.Stderr:
                            process.Publish(new ProcessEvent { Data = new ProcessEvent.Types.DataEvent { Stderr = ByteString.CopyFromUtf8(e.Text) } });
                            break;
                        case CommandEventKind.Exit:
                            var code = e.ExitCode ?? -1;
                            end = GoProcessStatus.End(code, e.Error is not null && code > 128 ? code - 128 : null);
                            break;
                    }
                }
            }
        }
        catch (Exception e) when (e is SandboxException or IOException or ObjectDisposedException)
        {
            // The sandbox went away: the streams break off, as they do when E2B kills a sandbox.
        }
        finally
        {
            // Gone from the list before anyone hears of its end, as in envd.
            sandbox.Processes.TryRemove(process.Pid, out _);
            process.Finish(end);
        }
    }

    /// <summary>Writes a stream's events to its client: the start event, output as it comes, keepalives, the end.</summary>
    private static async Task PipeAsync(HttpContext context, EmulatedProcess process, ChannelReader<ProcessEvent> events, ConnectServerStream stream)
    {
        var aborted = context.RequestAborted;
        var keepalive = int.TryParse(context.Request.Headers["Keepalive-Ping-Interval"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                        && seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan;
        try
        {
            await stream.WriteAsync(Response(context, new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = process.Pid } }), aborted);
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                idle.CancelAfter(keepalive);
                bool more;
                try
                {
                    more = await events.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await stream.WriteAsync(Response(context, new ProcessEvent { Keepalive = new ProcessEvent.Types.KeepAlive() }), aborted);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (events.TryRead(out var e))
                {
                    await stream.WriteAsync(Response(context, e), aborted);
                }
            }

            await stream.EndAsync(null, aborted);
        }
        catch (IOException)
        {
            // The process's sandbox went away: break the stream off without its end, as a dropped connection.
            context.Abort();
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left; the process runs on.
        }
        finally
        {
            process.Unsubscribe(events);
        }
    }

    private static IMessage Response(HttpContext context, ProcessEvent e) =>
        context.Request.Path.Value!.EndsWith("/Start", StringComparison.Ordinal) ? new StartResponse { Event = e } : new ConnectResponse { Event = e };

    private Task<ListResponse> ListProcessesAsync(EmulatedSandbox sandbox, ListRequest request, HttpRequest http)
    {
        var response = new ListResponse();
        foreach (var process in sandbox.Processes.Values.OrderBy(p => p.Pid))
        {
            var info = new Rpc.Process.ProcessInfo { Config = process.Config, Pid = process.Pid };
            if (process.Tag is not null)
            {
                info.Tag = process.Tag;
            }

            response.Processes.Add(info);
        }

        return Task.FromResult(response);
    }

    private async Task<SendInputResponse> SendInputAsync(EmulatedSandbox sandbox, SendInputRequest request, HttpRequest http)
    {
        var process = Find(sandbox, request.Process);
        switch (request.Input?.InputCase)
        {
            case ProcessInput.InputOneofCase.Stdin when process.Pty is not null:
                throw new ConnectRpcException("failed_precondition", "tty assigned to process — input should be written to the pty, not the stdin");
            case ProcessInput.InputOneofCase.Stdin when !process.StdinOpen:
                throw new ConnectRpcException("failed_precondition", "stdin not enabled or closed");
            case ProcessInput.InputOneofCase.Stdin:
                await sandbox.Local.WriteStdinAsync(process.HandleId!, request.Input.Stdin.Memory);
                break;
            case ProcessInput.InputOneofCase.Pty when process.Pty is { } pty:
                await pty.WriteAsync(request.Input.Pty.Memory);
                break;
            case ProcessInput.InputOneofCase.Pty:
                throw new ConnectRpcException("failed_precondition", "tty not assigned to process — input should be written to the stdin, not the tty");
            default:
                throw new ConnectRpcException("invalid_argument", "input is required");
        }

        return new SendInputResponse();
    }

    private async Task<CloseStdinResponse> CloseStdinAsync(EmulatedSandbox sandbox, CloseStdinRequest request, HttpRequest http)
    {
        var process = Find(sandbox, request.Process);
        if (process.Pty is not null)
        {
            throw new ConnectRpcException("failed_precondition", "cannot close stdin for PTY process — send Ctrl+D (0x04) instead");
        }

        if (process.StdinOpen)
        {
            process.StdinOpen = false;
            await sandbox.Local.CloseStdinAsync(process.HandleId!);
        }

        return new CloseStdinResponse();
    }

    private async Task<SendSignalResponse> SendSignalAsync(EmulatedSandbox sandbox, SendSignalRequest request, HttpRequest http)
    {
        var process = Find(sandbox, request.Process);
        var signal = request.Signal switch
        {
            Signal.Sigkill => ProcessSignal.Kill,
            Signal.Sigterm => ProcessSignal.Terminate,
            _ => throw new ConnectRpcException("unimplemented", $"invalid signal: {request.Signal}"),
        };
        await sandbox.Local.KillProcessAsync((int)process.Pid, signal);
        return new SendSignalResponse();
    }

    private async Task<UpdateResponse> UpdateAsync(EmulatedSandbox sandbox, UpdateRequest request, HttpRequest http)
    {
        var process = Find(sandbox, request.Process);
        if (request.Pty?.Size is not { Rows: > 0, Cols: > 0 } size)
        {
            throw new ConnectRpcException("invalid_argument", "pty.size needs rows and cols");
        }

        if (process.Pty is not { } pty)
        {
            throw new ConnectRpcException("failed_precondition", "tty not assigned to process");
        }

        await pty.ResizeAsync((int)size.Rows, (int)size.Cols);
        return new UpdateResponse();
    }

    /// <summary>The process a selector names, among those envd started and that still run.</summary>
    private static EmulatedProcess Find(EmulatedSandbox sandbox, ProcessSelector? selector) => selector?.SelectorCase switch
    {
        ProcessSelector.SelectorOneofCase.Pid => sandbox.Processes.TryGetValue(selector.Pid, out var byPid)
            ? byPid
            : throw new ConnectRpcException("not_found", $"process with pid {selector.Pid} not found"),
        ProcessSelector.SelectorOneofCase.Tag => sandbox.Processes.Values.FirstOrDefault(p => p.Tag == selector.Tag)
                                                 ?? throw new ConnectRpcException("not_found", $"process with tag {selector.Tag} not found"),
        _ => throw new ConnectRpcException("invalid_argument", "process selector is required"),
    };

    private static async Task KillQuietlyAsync(EmulatedSandbox sandbox, uint pid)
    {
        try
        {
            await sandbox.Local.KillProcessAsync((int)pid, ProcessSignal.Kill);
        }
        catch (SandboxException)
        {
            // Already gone.
        }
    }

    /// <summary>The deadline a call carries in <c>Connect-Timeout-Ms</c>.</summary>
    private static TimeSpan? ServerTimeout(HttpRequest request) =>
        long.TryParse(request.Headers["Connect-Timeout-Ms"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
