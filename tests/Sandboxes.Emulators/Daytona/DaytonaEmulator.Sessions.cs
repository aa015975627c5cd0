using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sandboxes.Emulators.Daytona;

/// <summary>Toolbox sessions: background commands with their logs and input.</summary>
public sealed partial class DaytonaEmulator
{
    private static readonly byte[] StdoutPrefix = [1, 1, 1];
    private static readonly byte[] StderrPrefix = [2, 2, 2];

    private void MapSessions(RouteGroupBuilder d)
    {
        d.MapPost("/process/session", (HttpContext c) => InDaemon(c, CreateSessionAsync)).WithName("CreateSession");
        d.MapGet("/process/session/{sessionId}", (HttpContext c, string sessionId) => InDaemon(c, (c, s, _) => WithSession(c, s, sessionId, async session =>
        {
            var commands = new JsonArray();
            foreach (var command in session.Ordered)
            {
                commands.Add(await CommandJsonAsync(session, command, c.RequestAborted));
            }

            await Json(c, new JsonObject { ["sessionId"] = session.Id, ["commands"] = commands });
        }))).WithName("GetSession");
        d.MapDelete("/process/session/{sessionId}", (HttpContext c, string sessionId) => InDaemon(c, (c, s, _) => WithSession(c, s, sessionId, async session =>
        {
            s.Sessions.TryRemove(sessionId, out var _);
            await session.DeleteAsync(c.RequestAborted);
            c.Response.StatusCode = 204;
        }))).WithName("DeleteSession");
        d.MapPost("/process/session/{sessionId}/exec", (HttpContext c, string sessionId) => InDaemon(c, (c, s, _) =>
            WithSession(c, s, sessionId, session => SessionExecuteAsync(c, session)))).WithName("SessionExecuteCommand");
        d.MapGet("/process/session/{sessionId}/command/{commandId}", (HttpContext c, string sessionId, string commandId) => InDaemon(c, (c, s, _) =>
            WithCommand(c, s, sessionId, commandId, async (session, command) =>
                await Json(c, await CommandJsonAsync(session, command, c.RequestAborted))))).WithName("GetSessionCommand");
        d.MapGet("/process/session/{sessionId}/command/{commandId}/logs", (HttpContext c, string sessionId, string commandId) => InDaemon(c, (c, s, _) =>
            WithCommand(c, s, sessionId, commandId, (session, command) => LogsAsync(c, session, command)))).WithName("GetSessionCommandLogs");
        d.MapPost("/process/session/{sessionId}/command/{commandId}/input", (HttpContext c, string sessionId, string commandId) => InDaemon(c, (c, s, _) =>
            WithCommand(c, s, sessionId, commandId, (session, command) => InputAsync(c, session, command)))).WithName("SendInput");
    }

    private static async Task CreateSessionAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var id = (string?)body["sessionId"] ?? string.Empty;
        if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal))
        {
            await WriteToolboxErrorAsync(context, 400, "invalid session ID");
            return;
        }

        if (sandbox.Sessions.ContainsKey(id))
        {
            await WriteToolboxErrorAsync(context, 409, "session already exists");
            return;
        }

        sandbox.Sessions[id] = await EmulatedSession.StartAsync(id, local, context.RequestAborted);
        context.Response.StatusCode = 201;
    }

    private static async Task SessionExecuteAsync(HttpContext context, EmulatedSession session)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var command = (string?)body["command"] ?? string.Empty;
        if (command.Trim().Length == 0)
        {
            await WriteToolboxErrorAsync(context, 400, "command is required");
            return;
        }

        var async = (bool?)body["runAsync"] ?? (bool?)body["async"] ?? false;
        var entry = await session.ExecuteAsync(command, async, (bool?)body["suppressInputEcho"] ?? false, context.RequestAborted);
        if (async)
        {
            context.Response.StatusCode = 202;
            await Json(context, new JsonObject { ["cmdId"] = entry.Id });
            return;
        }

        int? exitCode;
        while ((exitCode = await session.ExitCodeAsync(entry, context.RequestAborted)) is null)
        {
            await Task.Delay(50, context.RequestAborted);
        }

        var log = await session.ReadLogAsync(entry, 0, context.RequestAborted);
        var answer = new JsonObject { ["cmdId"] = entry.Id, ["exitCode"] = exitCode };
        if (SplitsOutput(context.Request.Headers))
        {
            var (stdout, stderr) = Demux(log);
            answer["output"] = Encoding.UTF8.GetString(log);
            answer["stdout"] = stdout;
            answer["stderr"] = stderr;
        }
        else
        {
            answer["output"] = Encoding.UTF8.GetString(StripPrefixes(log));
        }

        await Json(context, answer);
    }

    /// <summary>
    /// The log without following: JSON with stdout and stderr apart for SDKs from 0.167 on, the combined text (prefixes
    /// removed) for older or unnamed clients, as the daemon decides from <c>X-Daytona-SDK-Version</c>. Following (WebSocket)
    /// goes through the proxy.
    /// </summary>
    private static async Task LogsAsync(HttpContext context, EmulatedSession session, EmulatedCommand command)
    {
        var log = await session.ReadLogAsync(command, 0, context.RequestAborted);
        if (SplitsOutput(context.Request.Headers))
        {
            var (stdout, stderr) = Demux(log);
            await Json(context, new JsonObject { ["output"] = Encoding.UTF8.GetString(log), ["stdout"] = stdout, ["stderr"] = stderr });
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(StripPrefixes(log), context.RequestAborted);
    }

    private static async Task InputAsync(HttpContext context, EmulatedSession session, EmulatedCommand command)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        if (await session.ExitCodeAsync(command, context.RequestAborted) is { } code)
        {
            await WriteToolboxErrorAsync(context, 410, $"command has already completed with exit code {code}");
            return;
        }

        if (!await session.SendInputAsync(command, (string?)body["data"] ?? string.Empty, context.RequestAborted))
        {
            await WriteToolboxErrorAsync(context, 500, "failed to open input pipe: open " + command.InputPath + ": no such file or directory");
            return;
        }

        context.Response.StatusCode = 204;
    }

    /// <summary>
    /// Streams a command's log over a WebSocket as the daemon does: the log from its start as binary frames, then new bytes
    /// as they are written, and a normal close once the exit code is written. Clients send nothing.
    /// </summary>
    internal async Task FollowLogAsync(WebSocket socket, EmulatedSession session, EmulatedCommand command, CancellationToken cancellationToken)
    {
        long offset = 0;
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                Violation($"log follower: the client sent a {received.MessageType} frame; followers only receive");
            }
        }, cancellationToken);
        try
        {
            while (socket.State == WebSocketState.Open && !reader.IsCompleted)
            {
                var exited = await session.ExitCodeAsync(command, cancellationToken) is not null;
                var chunk = await session.ReadLogAsync(command, offset, cancellationToken);
                if (chunk.Length > 0)
                {
                    offset += chunk.Length;
                    await socket.SendAsync(chunk, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                }

                if (exited)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cancellationToken);
                    await reader.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                    return;
                }

                await Task.Delay(chunk.Length > 0 ? 5 : 25, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            // The follower left.
        }
    }

    private static async Task<JsonObject> CommandJsonAsync(EmulatedSession session, EmulatedCommand command, CancellationToken cancellationToken)
    {
        var json = new JsonObject { ["id"] = command.Id, ["command"] = command.Command };
        if (await session.ExitCodeAsync(command, cancellationToken) is { } code)
        {
            json["exitCode"] = code;
        }

        return json;
    }

    private static Task WithSession(HttpContext context, EmulatedSandbox sandbox, string sessionId, Func<EmulatedSession, Task> action) =>
        sandbox.Sessions.TryGetValue(sessionId, out var session) ? action(session) : WriteToolboxErrorAsync(context, 404, "session not found");

    private static Task WithCommand(HttpContext context, EmulatedSandbox sandbox, string sessionId, string commandId,
        Func<EmulatedSession, EmulatedCommand, Task> action) =>
        WithSession(context, sandbox, sessionId, session => session.Commands.TryGetValue(commandId, out var command)
            ? action(session, command)
            : WriteToolboxErrorAsync(context, 404, "command not found"));

    /// <summary>
    /// The daemon's choice of log format: split stdout and stderr for SDK versions from 0.167 (and development builds);
    /// combined text for older SDKs and for clients that name no version.
    /// </summary>
    private static bool SplitsOutput(IHeaderDictionary headers)
    {
        var version = headers["X-Daytona-SDK-Version"].ToString();
        if (version.Length == 0)
        {
            return false;
        }

        if (version.Contains("dev", StringComparison.Ordinal))
        {
            return true;
        }

        var core = version.Split('-', 2)[0];
        return Version.TryParse(core, out var parsed) && parsed >= new Version(0, 167, 0);
    }

    private static (string Stdout, string Stderr) Demux(byte[] log)
    {
        var stdout = new List<byte>();
        var stderr = new List<byte>();
        List<byte>? current = null;
        for (var i = 0; i < log.Length;)
        {
            if (i + 3 <= log.Length && log.AsSpan(i, 3).SequenceEqual(StdoutPrefix))
            {
                current = stdout;
                i += 3;
            }
            else if (i + 3 <= log.Length && log.AsSpan(i, 3).SequenceEqual(StderrPrefix))
            {
                current = stderr;
                i += 3;
            }
            else
            {
                current?.Add(log[i]);
                i++;
            }
        }

        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    private static byte[] StripPrefixes(byte[] log)
    {
        var text = new List<byte>(log.Length);
        for (var i = 0; i < log.Length;)
        {
            if (i + 3 <= log.Length && (log.AsSpan(i, 3).SequenceEqual(StdoutPrefix) || log.AsSpan(i, 3).SequenceEqual(StderrPrefix)))
            {
                i += 3;
                continue;
            }

            text.Add(log[i++]);
        }

        return text.ToArray();
    }
}
