using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sandboxes.Emulators.E2B;

public sealed partial class E2BEmulator
{
    // The query parameters envd.yaml defines for /files; anything else is a request the spec does not describe.
    private static readonly HashSet<string> FileQueryParameters = ["path", "username", "signature", "signature_expiration"];

    private void MapFiles(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/files", DownloadAsync).WithName("getFiles");
        routes.MapPost("/files", UploadAsync).WithName("postFiles");
    }

    private async Task DownloadAsync(HttpContext context)
    {
        if (await EnvdSandboxAsync(context) is not { } sandbox || await FileUserAsync(context, sandbox) is not { } user)
        {
            return;
        }

        var path = ResolvePath(context.Request.Query["path"].ToString(), user);
        var entry = await EntryAsync(sandbox, path);
        if (entry is null)
        {
            await WriteFileErrorAsync(context, 404, $"path '{path}' does not exist");
            return;
        }

        if (entry.IsDir)
        {
            await WriteFileErrorAsync(context, 400, $"path '{path}' is a directory");
            return;
        }

        Stream stream;
        try
        {
            stream = await sandbox.Local.OpenReadAsync(path);
        }
        catch (NotFoundException)
        {
            // Removed since it was looked up.
            await WriteFileErrorAsync(context, 404, $"path '{path}' does not exist");
            return;
        }

        await using (stream)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/octet-stream";
            if (!stream.CanSeek)
            {
                await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
                return;
            }

            // The length is the opened file's, and exactly that much is sent, as envd serves a file: the listing's size
            // is stale when a process inside is still writing, and a body that disagrees with its Content-Length fails
            // the whole response.
            var length = stream.Length;
            context.Response.ContentLength = length;
            var buffer = new byte[81920];
            for (long sent = 0; sent < length;)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - sent)), context.RequestAborted);
                if (read == 0)
                {
                    // Truncated meanwhile: the client sees a short body, as from any server whose file shrank.
                    context.Abort();
                    return;
                }

                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                sent += read;
            }
        }
    }

    private async Task UploadAsync(HttpContext context)
    {
        if (await EnvdSandboxAsync(context) is not { } sandbox || await FileUserAsync(context, sandbox) is not { } user)
        {
            return;
        }

        var query = context.Request.Query["path"].ToString();
        var written = new JsonArray();
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            if (form.Files.Count == 0)
            {
                await WriteFileErrorAsync(context, 400, "no file in the multipart request");
                return;
            }

            foreach (var file in form.Files)
            {
                var target = ResolvePath(query.Length > 0 ? query : file.FileName, user);
                await using var content = file.OpenReadStream();
                if (!await WriteOneAsync(context, sandbox, target, content, user, written))
                {
                    return;
                }
            }
        }
        else if ((context.Request.ContentType ?? string.Empty).StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            if (query.Length == 0)
            {
                await WriteFileErrorAsync(context, 400, "the path query parameter is required with application/octet-stream");
                return;
            }

            if (!await WriteOneAsync(context, sandbox, ResolvePath(query, user), context.Request.Body, user, written))
            {
                return;
            }
        }
        else
        {
            await WriteFileErrorAsync(context, 400, $"unsupported content type '{context.Request.ContentType}'");
            return;
        }

        await WriteJsonAsync(context.Response, 200, written);
    }

    private static async Task<bool> WriteOneAsync(HttpContext context, EmulatedSandbox sandbox, string path, Stream content, string user, JsonArray written)
    {
        if (await EntryAsync(sandbox, path) is { IsDir: true })
        {
            await WriteFileErrorAsync(context, 400, $"path '{path}' is a directory");
            return false;
        }

        try
        {
            await sandbox.Local.WriteFileAsync(path, content, new WriteFileOptions { User = user }, context.RequestAborted);
        }
        catch (SandboxException e) when (e is InvalidSandboxPathException or BadConfigException)
        {
            await WriteFileErrorAsync(context, 400, e.Message);
            return false;
        }

        written.Add(new JsonObject { ["path"] = path, ["name"] = Path.GetFileName(path), ["type"] = "file" });
        return true;
    }

    /// <summary>The user of a /files request (its <c>username</c>, else the default); null after answering 401 or 400.</summary>
    private static async Task<string?> FileUserAsync(HttpContext context, EmulatedSandbox sandbox)
    {
        if (context.Request.Query.Keys.FirstOrDefault(k => !FileQueryParameters.Contains(k)) is { } unknown)
        {
            await WriteFileErrorAsync(context, 400, $"unknown query parameter '{unknown}'");
            return null;
        }

        var name = context.Request.Query["username"].ToString();
        try
        {
            return await UserAsync(sandbox, name);
        }
        catch (ConnectRpcException)
        {
            await WriteFileErrorAsync(context, 401, $"error looking up user '{name}': user: unknown user {name}");
            return null;
        }
    }

    /// <summary>envd.yaml's error body.</summary>
    private static Task WriteFileErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context.Response, status, new JsonObject { ["message"] = message, ["code"] = status });

    /// <summary>A path's entry in its parent directory (the root is a directory); null when it does not exist.</summary>
    private static async Task<FileEntry?> EntryAsync(EmulatedSandbox sandbox, string path)
    {
        var normalized = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (normalized == "/")
        {
            return new FileEntry { Name = "/", Path = "/", IsDir = true };
        }

        if (!await sandbox.Local.ExistsAsync(normalized))
        {
            return null;
        }

        var parent = normalized[..normalized.LastIndexOf('/')];
        var entries = await sandbox.Local.ListDirectoryAsync(parent.Length == 0 ? "/" : parent);
        return entries.FirstOrDefault(e => e.Name == normalized[(normalized.LastIndexOf('/') + 1)..]);
    }
}
