using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sandboxes.Emulators.Daytona;

/// <summary>Toolbox PTY sessions over REST; their WebSocket (<c>/process/pty/{id}/connect</c>) is served by the proxy.</summary>
public sealed partial class DaytonaEmulator
{
    private void MapPty(RouteGroupBuilder d)
    {
        d.MapPost("/process/pty", (HttpContext c) => InDaemon(c, CreatePtyAsync)).WithName("CreatePtySession");
        d.MapGet("/process/pty", (HttpContext c) => InDaemon(c, (c, s, _) =>
            Json(c, new JsonObject { ["sessions"] = new JsonArray(s.Ptys.Values.OrderBy(p => p.CreatedAt).Select(p => (JsonNode)DaytonaWire.PtyInfo(p)).ToArray()) })))
            .WithName("ListPtySessions");
        d.MapGet("/process/pty/{sessionId}", (HttpContext c, string sessionId) => InDaemon(c, (c, s, _) =>
            WithPty(c, s, sessionId, pty => Json(c, DaytonaWire.PtyInfo(pty))))).WithName("GetPtySession");
        d.MapDelete("/process/pty/{sessionId}", (HttpContext c, string sessionId) => InDaemon(c, (c, s, _) => WithPty(c, s, sessionId, async pty =>
        {
            await pty.KillAsync(c.RequestAborted);
            s.Ptys.TryRemove(sessionId, out var _);
            await Json(c, new JsonObject { ["message"] = "PTY session deleted" });
        }))).WithName("DeletePtySession");
        d.MapPost("/process/pty/{sessionId}/resize", (HttpContext c, string sessionId) => InDaemon(c, (c, s, _) => WithPty(c, s, sessionId, async pty =>
        {
            var body = await JsonNode.ParseAsync(c.Request.Body) as JsonObject ?? [];
            var rows = (int?)body["rows"] ?? 0;
            var cols = (int?)body["cols"] ?? 0;
            if (rows is < 1 or > 1000 || cols is < 1 or > 1000)
            {
                await WriteToolboxErrorAsync(c, 400, "rows and cols must be between 1 and 1000");
                return;
            }

            if (!pty.Active)
            {
                await WriteToolboxErrorAsync(c, 410, "PTY session has exited");
                return;
            }

            await pty.ResizeAsync(rows, cols, c.RequestAborted);
            await Json(c, DaytonaWire.PtyInfo(pty));
        }))).WithName("ResizePtySession");
    }

    private async Task CreatePtyAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var id = (string?)body["id"] is { Length: > 0 } given ? given : Guid.NewGuid().ToString();
        if (sandbox.Ptys.ContainsKey(id))
        {
            await WriteToolboxErrorAsync(context, 409, $"PTY session with ID {id} already exists");
            return;
        }

        var pty = new EmulatedPty(local, Violation)
        {
            Id = id,
            Cwd = (string?)body["cwd"] is { Length: > 0 } cwd ? Absolute(cwd) : WorkDir,
            Envs = Strings(body["envs"]),
            LazyStart = (bool?)body["lazyStart"] ?? false,
        };
        pty.Size((int?)body["rows"] ?? 24, (int?)body["cols"] ?? 80);
        if (!pty.LazyStart)
        {
            await pty.StartAsync(context.RequestAborted);
        }

        sandbox.Ptys[id] = pty;
        context.Response.StatusCode = 201;
        await Json(context, new JsonObject { ["sessionId"] = id });
    }

    private static Task WithPty(HttpContext context, EmulatedSandbox sandbox, string id, Func<EmulatedPty, Task> action) =>
        sandbox.Ptys.TryGetValue(id, out var pty) ? action(pty) : WriteToolboxErrorAsync(context, 404, $"PTY session {id} not found");
}
