using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// Daytona's toolbox proxy, emulated on a port of its own: <c>/toolbox/{sandboxId}/{path}</c> is checked (bearer, sandbox
/// state) and forwarded to the daemon routes through <see cref="DaytonaEmulator.ToolboxUpstream"/>; WebSocket upgrades (PTY,
/// followed logs) are served here, since the validating proxy in tests speaks only HTTP; <c>/preview/{port}-{token}/</c>
/// serves signed preview URLs from the sandbox's port.
/// </summary>
internal sealed class DaytonaProxy(DaytonaEmulator emulator) : IHostedService
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly HttpClient _forward = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false, UseProxy = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private WebApplication? _app;

    /// <summary>Where the proxy listens.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/toolbox/{sandboxId}/{**path}", ToolboxAsync);
        app.Map("/preview/{key}/{**path}", PreviewAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
            await _app.DisposeAsync();
        }

        _forward.Dispose();
    }

    private async Task ToolboxAsync(HttpContext context, string sandboxId, string? path)
    {
        path = "/" + (path ?? string.Empty);
        if (!emulator.IsAuthorizedHeader(context.Request.Headers))
        {
            await ErrorAsync(context, 401, emulator.Echo(context.Request, "Unauthorized"));
            return;
        }

        if (emulator.Find(sandboxId) is not { } sandbox || sandbox.IsGone || sandbox.Local is null)
        {
            await ErrorAsync(context, 404, $"sandbox {sandboxId} not found");
            return;
        }

        // Daytona does not document whether a paused sandbox's toolbox answers; file operations are let through (the
        // library reads the files of a paused sandbox) and new processes are refused, since a frozen sandbox cannot start them.
        var files = path.StartsWith("/files", StringComparison.Ordinal) || path == "/work-dir";
        if (sandbox.State is not ("started" or "snapshotting") && !(files && sandbox.State is "paused" or "pausing"))
        {
            await ErrorAsync(context, 400, $"Sandbox is not running (state {sandbox.State})");
            return;
        }

        if (context.WebSockets.IsWebSocketRequest)
        {
            await WebSocketAsync(context, sandbox, path);
            return;
        }

        var direct = UnrelayedRoutes.Applies(path);
        if (direct && UnrelayedRoutes.CheckRequest(context.Request, path) is { } problem)
        {
            emulator.Violation("toolbox request: " + problem);
        }

        var upstream = direct ? emulator.BaseUrl : emulator.ToolboxUpstream ?? emulator.BaseUrl;
        await ForwardAsync(context, new Uri(upstream.AbsoluteUri.TrimEnd('/') + path + context.Request.QueryString), sandbox.Id,
            direct ? path : null);
    }

    private async Task WebSocketAsync(HttpContext context, EmulatedSandbox sandbox, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["process", "pty", var ptyId, "connect"] && sandbox.Ptys.TryGetValue(ptyId, out var pty))
        {
            var offered = context.WebSockets.WebSocketRequestedProtocols;
            var exitControl = offered.Contains(DaytonaPtyProtocol.ExitControlSubprotocol, StringComparer.Ordinal);
            // The daemon echoes one offered subprotocol, which a client then sees as accepted.
            using var socket = await context.WebSockets.AcceptWebSocketAsync(exitControl ? DaytonaPtyProtocol.ExitControlSubprotocol : null);
            await pty.AttachAsync(socket, exitControl, context.RequestAborted);
            return;
        }

        if (parts is ["process", "session", var sessionId, "command", var commandId, "logs"] && context.Request.Query["follow"] == "true" &&
            sandbox.Sessions.TryGetValue(sessionId, out var session) && session.Commands.TryGetValue(commandId, out var command))
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await emulator.FollowLogAsync(socket, session, command, context.RequestAborted);
            return;
        }

        await ErrorAsync(context, 404, $"no WebSocket at {path}");
    }

    private async Task PreviewAsync(HttpContext context, string key, string? path)
    {
        if (!emulator.TryGetPreview(key, out var grant) || grant.ExpiresAt < DateTimeOffset.UtcNow ||
            emulator.Find(grant.SandboxId) is not { Local: { } local } sandbox || sandbox.IsGone)
        {
            await ErrorAsync(context, 404, "preview not found or expired");
            return;
        }

        var port = await local.PortUrlAsync(grant.Port, context.RequestAborted);
        await ForwardAsync(context, new Uri(port, (path ?? string.Empty) + context.Request.QueryString), null, null);
    }

    /// <summary>Forwards a request as it is, streaming both bodies; a route Prism cannot relay gets its answer checked here.</summary>
    private async Task ForwardAsync(HttpContext context, Uri target, string? sandboxId, string? checkedRoute)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopHeaders.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        if (sandboxId is not null)
        {
            request.Headers.Add(DaytonaEmulator.SandboxHeader, sandboxId);
        }

        HttpResponseMessage response;
        try
        {
            response = await _forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await ErrorAsync(context, 502, "upstream unreachable: " + e.Message);
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopHeaders.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            var status = (int)response.StatusCode;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (checkedRoute is not null && !(checkedRoute is "/files/download" or "/files/bulk-download" && status is >= 200 and < 300))
            {
                var json = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
                if (UnrelayedRoutes.CheckResponse(checkedRoute, status, mediaType, json) is { } problem)
                {
                    emulator.Violation("toolbox response: " + problem);
                }

                await context.Response.Body.WriteAsync(json, context.RequestAborted);
                return;
            }

            if (checkedRoute is not null && UnrelayedRoutes.CheckResponse(checkedRoute, status, mediaType, null) is { } streamed)
            {
                emulator.Violation("toolbox response: " + streamed);
            }

            var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(DaytonaWire.ToolboxError(status, message, context.Request.Path, context.Request.Method).ToJsonString());
    }
}
