using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// The toolbox's bulk file routes, which Daytona's own SDK uses for every upload and download (the adapter uses the
/// single-file ones): <c>POST /files/bulk-upload</c> takes a multipart form of <c>files[i].path</c> fields and
/// <c>files[i].file</c> parts; <c>POST /files/bulk-download</c> takes <c>{"paths": [...]}</c> and answers a multipart
/// body with a <c>file</c> part per file read and an <c>error</c> part (an ErrorResponse as JSON) per file that could not
/// be, each named by the path as asked.
/// </summary>
public sealed partial class DaytonaEmulator
{
    private async Task BulkUploadAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        for (var i = 0; form.ContainsKey($"files[{i}].path") || form.Files.GetFile($"files[{i}].file") is not null; i++)
        {
            var path = form[$"files[{i}].path"].ToString();
            if (path.Length == 0 || form.Files.GetFile($"files[{i}].file") is not { } file)
            {
                await WriteToolboxErrorAsync(context, 400, $"files[{i}] needs both a path and a file");
                return;
            }

            var content = file.OpenReadStream();
            await using (content)
            {
                await local.WriteFileAsync(Absolute(path), content, cancellationToken: context.RequestAborted);
            }
        }

        context.Response.StatusCode = 200;
    }

    private async Task BulkDownloadAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        if (body?["paths"] is not JsonArray paths || paths.Any(p => p is not JsonValue v || !v.TryGetValue<string>(out _)))
        {
            await WriteToolboxErrorAsync(context, 400, "the body needs paths, an array of strings");
            return;
        }

        var boundary = "daytona-" + Guid.NewGuid().ToString("N");
        var response = context.Response;
        response.ContentType = $"multipart/form-data; boundary={boundary}";
        foreach (var asked in paths.Select(p => (string)p!))
        {
            var path = Absolute(asked);
            var entry = await StatAsync(local, path, context.RequestAborted);
            var error = entry is null ? (404, $"stat {path}: no such file or directory") : entry.IsDir ? (400, "path must be a file") : default((int, string)?);
            var name = asked.Replace("\"", "%22", StringComparison.Ordinal);
            if (error is { } failed)
            {
                var json = DaytonaWire.ToolboxError(failed.Item1, failed.Item2, context.Request.Path, context.Request.Method).ToJsonString();
                await WriteAsync($"--{boundary}\r\nContent-Disposition: form-data; name=\"error\"; filename=\"{name}\"\r\nContent-Type: application/json\r\n\r\n{json}\r\n");
                continue;
            }

            await WriteAsync($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\nContent-Length: {entry!.Size}\r\n\r\n");
            var stream = await local.OpenReadAsync(path, context.RequestAborted);
            await using (stream)
            {
                await stream.CopyToAsync(response.Body, context.RequestAborted);
            }

            await WriteAsync("\r\n");
        }

        await WriteAsync($"--{boundary}--\r\n");

        Task WriteAsync(string text) => response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted).AsTask();
    }
}
