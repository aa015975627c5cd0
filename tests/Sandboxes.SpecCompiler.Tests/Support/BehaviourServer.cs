using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sandboxes.SpecCompiler.Tests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1 serving TestSpecs/behaviour.yaml: it records what arrived (raw target, headers,
/// bodies) and answers with canned responses, so tests see exactly what the generated client put on the wire.
/// </summary>
public sealed class BehaviourServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BehaviourServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The port Kestrel listens on.</summary>
    public int Port { get; }

    /// <summary>The raw request targets received, in order.</summary>
    public ConcurrentQueue<string> RawTargets { get; } = new();

    /// <summary>The bodies of raw uploads, by raw target.</summary>
    public ConcurrentDictionary<string, byte[]> Uploads { get; } = new();

    /// <summary>The Authorization header of the last /fail call.</summary>
    public string? LastAuthorization { get; private set; }

    /// <summary>Released by a test to let the download endpoint send the rest of its body.</summary>
    public TaskCompletionSource ReleaseDownload { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<BehaviourServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        BehaviourServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new BehaviourServer(app, new Uri(address).Port);
        return server;
    }

    /// <summary>Lets the next download run from the start again.</summary>
    public void ResetDownload() => ReleaseDownload = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ReleaseDownload.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        RawTargets.Enqueue(raw);
        var path = context.Request.Path.Value ?? string.Empty;
        var response = context.Response;

        if (path.StartsWith("/v1/items/", StringComparison.Ordinal) && context.Request.Method == "GET")
        {
            var id = path["/v1/items/".Length..];
            if (id == "missing")
            {
                await Json(response, 404, """{"code":"item_not_found","message":"no such item"}""");
                return;
            }

            var item = new JsonObject
            {
                ["id"] = id,
                ["state"] = "hibernating",
                ["size"] = 5_000_000_000L,
                ["createdAt"] = "2026-11-22T05:00:00.123+00:00",
                ["payload"] = Convert.ToBase64String("hello"u8.ToArray()),
                ["note"] = null,
                ["labels"] = new JsonObject
                {
                    ["raw"] = raw,
                    ["trace"] = context.Request.Headers["X-Trace-Id"].ToString(),
                    ["apiKey"] = context.Request.Headers["X-API-Key"].ToString(),
                    ["authorization"] = context.Request.Headers.Authorization.ToString(),
                    ["accept"] = context.Request.Headers.Accept.ToString(),
                },
            };
            await Json(response, 200, item.ToJsonString());
            return;
        }

        if (path.StartsWith("/v1/items/", StringComparison.Ordinal) || path is "/v1/shapes" or "/v1/values")
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            response.Headers["X-Content-Type-Received"] = context.Request.ContentType;
            await Json(response, 200, body.Length == 0 ? "null" : body);
            return;
        }

        if (path.StartsWith("/v1/files/", StringComparison.Ordinal) && context.Request.Method == "GET")
        {
            response.ContentType = "application/octet-stream";
            await response.Body.WriteAsync(new byte[] { 1, 2, 3, 4 });
            await response.Body.FlushAsync();
            // The rest comes only once the test, which has already read the first bytes, lets it: proof of no buffering.
            await ReleaseDownload.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await response.Body.WriteAsync(new byte[] { 5, 6, 7, 8 });
            return;
        }

        if (path.StartsWith("/v1/files/", StringComparison.Ordinal))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            Uploads[raw] = buffer.ToArray();
            response.StatusCode = 204;
            return;
        }

        switch (path)
        {
            case "/v1/search":
                response.Headers["X-Next-Token"] = "page-2";
                await Json(response, 200, JsonSerializer.Serialize(new { method = context.Request.Method, rawTarget = raw, query = context.Request.QueryString.Value }));
                return;
            case "/v1/upload":
                var form = await context.Request.ReadFormAsync();
                var parts = new List<string>();
                foreach (var file in form.Files)
                {
                    using var fileReader = new StreamReader(file.OpenReadStream());
                    parts.Add($"{file.Name}:{file.FileName}:{file.ContentType}:{await fileReader.ReadToEndAsync()}");
                }

                parts.AddRange(form.Select(f => $"{f.Key}:{f.Value}"));
                await Json(response, 200, JsonSerializer.Serialize(new { method = "POST", rawTarget = raw, parts, query = context.Request.ContentType }));
                return;
            case "/v1/events":
                response.ContentType = "text/event-stream";
                await response.WriteAsync(": keep-alive\n\n");
                for (var step = 1; step <= 3; step++)
                {
                    await response.WriteAsync($"event: progress\ndata: {{\"step\":{step},\n");
                    await response.WriteAsync("data: \"status\":\"working\"}\n\n");
                    await response.Body.FlushAsync();
                }

                return;
            case "/v1/raw-events":
                response.ContentType = "text/event-stream";
                // The last event breaks off before its blank line: as the SSE standard says, it is never dispatched.
                await response.WriteAsync("data: hello\ndata: world\n\nid: 7\nevent: done\nretry: 1500\ndata: bye\n\ndata: cut off");
                return;
            case "/v1/lines":
                response.ContentType = "application/x-ndjson";
                await response.WriteAsync("{\"step\":1,\"status\":\"a\"}\n\n{\"step\":2,\"status\":\"b\"}\n{\"step\":3,\"status\":\"c\"}");
                return;
            case "/v1/slow":
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case "/v1/text":
                response.ContentType = "text/plain";
                await response.WriteAsync("plain text ✓");
                return;
        }

        if (path.StartsWith("/v1/fail/", StringComparison.Ordinal))
        {
            LastAuthorization = context.Request.Headers.Authorization.ToString();
            var status = int.Parse(path["/v1/fail/".Length..], System.Globalization.CultureInfo.InvariantCulture);
            switch (status)
            {
                case 429:
                    response.Headers.RetryAfter = "7";
                    await Json(response, 429, """{"message":"slow down"}""");
                    return;
                case 430:
                    // An HTTP-date Retry-After, 90 s after the response's Date header.
                    var now = DateTimeOffset.UtcNow;
                    response.Headers.Date = now.ToString("R");
                    response.Headers.RetryAfter = now.AddSeconds(90).ToString("R");
                    await Json(response, 429, """{"message":"later"}""");
                    return;
                case 500:
                    await Json(response, 500, """{"error":{"code":"boom","message":"failed with Bearer abcdefghijklmnop"}}""");
                    return;
                case 4031:
                    await Json(response, 403, """{"code":"quota_exceeded","message":"Total CPU quota exceeded"}""");
                    return;
                default:
                    await Json(response, status, """{"message":"status %s"}""".Replace("%s", status.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                    return;
            }
        }

        response.StatusCode = 418;
    }

    private static async Task Json(HttpResponse response, int status, string json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(json);
    }
}
