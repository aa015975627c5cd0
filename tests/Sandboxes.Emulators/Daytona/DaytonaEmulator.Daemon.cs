using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sandboxes.Emulators.Daytona;

/// <summary>
/// The toolbox daemon (<c>toolbox.json</c>): processes, sessions, files and PTY sessions of the sandbox the proxy names in
/// <see cref="SandboxHeader"/>, behaving as Daytona's daemon does (relative paths from the working directory, errors as
/// <c>ErrorResponse</c>, version-dependent log format).
/// </summary>
public sealed partial class DaytonaEmulator
{
    /// <summary>The sandbox's working directory (the local provider's workspace).</summary>
    private const string WorkDir = "/workspace";

    private void MapDaemon(RouteGroupBuilder d)
    {
        d.MapPost("/process/execute", (HttpContext c) => InDaemon(c, ExecuteAsync)).WithName("ExecuteCommand");
        d.MapGet("/work-dir", (HttpContext c) => InDaemon(c, (_, _, _) => Json(c, new JsonObject { ["dir"] = WorkDir }))).WithName("GetWorkDir");
        d.MapGet("/files", (HttpContext c) => InDaemon(c, ListFilesAsync)).WithName("ListFiles");
        d.MapDelete("/files", (HttpContext c) => InDaemon(c, DeleteFileAsync)).WithName("DeleteFile");
        d.MapGet("/files/download", (HttpContext c) => InDaemon(c, DownloadFileAsync)).WithName("DownloadFile");
        d.MapGet("/files/info", (HttpContext c) => InDaemon(c, FileInfoAsync)).WithName("GetFileInfo");
        d.MapPost("/files/folder", (HttpContext c) => InDaemon(c, CreateFolderAsync)).WithName("CreateFolder");
        d.MapPost("/files/upload-v2", (HttpContext c) => InDaemon(c, UploadFileAsync)).WithName("UploadFile");
        d.MapPost("/files/bulk-upload", (HttpContext c) => InDaemon(c, BulkUploadAsync)).WithName("UploadFiles");
        d.MapPost("/files/bulk-download", (HttpContext c) => InDaemon(c, BulkDownloadAsync)).WithName("DownloadFiles");
        d.MapPost("/files/permissions", (HttpContext c) => InDaemon(c, SetPermissionsAsync)).WithName("SetFilePermissions");
        MapSessions(d);
        MapPty(d);
    }

    /// <summary>Runs a daemon handler for the sandbox the proxy named, turning the local provider's errors into the daemon's.</summary>
    private Task InDaemon(HttpContext context, Func<HttpContext, EmulatedSandbox, Sandbox, Task> handler)
    {
        var id = context.Request.Headers[SandboxHeader].ToString();
        if (Find(id) is not { Local: { } local } sandbox || sandbox.IsGone)
        {
            return WriteToolboxErrorAsync(context, 404, $"sandbox {id} not found (requests must come through the toolbox proxy)");
        }

        return Run();

        async Task Run()
        {
            try
            {
                await handler(context, sandbox, local);
            }
            catch (SandboxException e) when (!context.Response.HasStarted)
            {
                var status = e switch
                {
                    NotFoundException => 404,
                    BadConfigException or InvalidSandboxPathException => 400,
                    SandboxTimeoutException => 408,
                    _ => 500,
                };
                await WriteToolboxErrorAsync(context, status, e.Message);
            }
        }
    }

    /// <summary>
    /// As the daemon: the command text is piped into a shell's stdin, stdout and stderr go to one buffer, a missing working
    /// directory is exit code -1 with the error as the result, and a timeout kills the process group and answers 408.
    /// </summary>
    private async Task ExecuteAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var command = (string?)body["command"] ?? string.Empty;
        if (command.Trim().Length == 0)
        {
            await WriteToolboxErrorAsync(context, 400, "command cannot be empty or whitespace-only");
            return;
        }

        var envs = Strings(body["envs"]);
        if (envs.Keys.FirstOrDefault(k => !IsEnvName(k)) is { } bad)
        {
            await WriteToolboxErrorAsync(context, 400, $"invalid environment variable name: {bad}");
            return;
        }

        var timeout = (long?)body["timeout"] ?? 0;
        var cwd = (string?)body["cwd"];
        CommandResult result;
        try
        {
            result = await local.RunCommandAsync(new RunCommandRequest("sh 2>&1")
            {
                Stdin = command, Cwd = cwd, Env = envs.Count > 0 ? envs : null, TimeoutSeconds = timeout > 0 ? timeout : null,
            }, context.RequestAborted);
        }
        catch (SandboxTimeoutException)
        {
            await WriteToolboxErrorAsync(context, 408, "command execution timeout");
            return;
        }
        catch (BadConfigException) when (cwd is not null)
        {
            await Json(context, new JsonObject { ["exitCode"] = -1, ["result"] = $"chdir {cwd}: no such file or directory" });
            return;
        }

        await Json(context, new JsonObject { ["exitCode"] = result.ExitCode, ["result"] = result.Stdout });
    }

    private async Task ListFilesAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var path = Absolute(context.Request.Query["path"].ToString() is { Length: > 0 } p ? p : ".");
        var entries = await local.ListDirectoryAsync(path, context.RequestAborted);
        await Json(context, new JsonArray(entries.Select(e => (JsonNode)DaytonaWire.FileInfo(e)).ToArray()));
    }

    private async Task DeleteFileAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var path = Absolute(context.Request.Query["path"].ToString());
        var entry = await StatAsync(local, path, context.RequestAborted);
        if (entry is null)
        {
            await WriteToolboxErrorAsync(context, 404, $"stat {path}: no such file or directory");
            return;
        }

        if (entry.IsDir && context.Request.Query["recursive"] != "true")
        {
            await WriteToolboxErrorAsync(context, 400, "cannot delete directory without recursive flag");
            return;
        }

        await local.RemoveAsync(path, context.RequestAborted);
        context.Response.StatusCode = 204;
    }

    private async Task DownloadFileAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var path = Absolute(context.Request.Query["path"].ToString());
        var entry = await StatAsync(local, path, context.RequestAborted);
        if (entry is null)
        {
            await WriteToolboxErrorAsync(context, 404, $"stat {path}: no such file or directory");
            return;
        }

        if (entry.IsDir)
        {
            await WriteToolboxErrorAsync(context, 400, "path must be a file");
            return;
        }

        var stream = await local.OpenReadAsync(path, context.RequestAborted);
        await using (stream)
        {
            var response = context.Response;
            response.ContentType = "application/octet-stream";
            // As the daemon: a plain fallback name (header values are ASCII here) and the exact name in RFC 5987 form.
            var plain = new string(entry.Name.Select(ch => ch is >= ' ' and <= '~' and not '"' and not '\\' ? ch : '_').ToArray());
            response.Headers.ContentDisposition = $"attachment; filename=\"{plain}\"; filename*=utf-8''{Uri.EscapeDataString(entry.Name)}";
            response.Headers["Content-Transfer-Encoding"] = "binary";
            response.ContentLength = entry.Size;
            await stream.CopyToAsync(response.Body, context.RequestAborted);
        }
    }

    private async Task FileInfoAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var path = Absolute(context.Request.Query["path"].ToString());
        var entry = await StatAsync(local, path, context.RequestAborted);
        await (entry is null
            ? WriteToolboxErrorAsync(context, 404, $"stat {path}: no such file or directory")
            : Json(context, DaytonaWire.FileInfo(entry)));
    }

    private async Task CreateFolderAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var path = Absolute(context.Request.Query["path"].ToString());
        var mode = context.Request.Query["mode"].ToString();
        if (mode.Length > 0 && !IsOctal(mode))
        {
            await WriteToolboxErrorAsync(context, 400, "invalid mode format");
            return;
        }

        await local.MakeDirAsync(path, context.RequestAborted);
        context.Response.StatusCode = 201;
    }

    private async Task UploadFileAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var path = Absolute(context.Request.Query["path"].ToString());
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form.Files.GetFile("file") is not { } file)
        {
            await WriteToolboxErrorAsync(context, 400, "http: no such file");
            return;
        }

        var content = file.OpenReadStream();
        await using (content)
        {
            await local.WriteFileAsync(path, content, cancellationToken: context.RequestAborted);
        }

        await Json(context, new JsonObject { ["name"] = path[(path.LastIndexOf('/') + 1)..], ["path"] = path, ["type"] = "file" });
    }

    private async Task SetPermissionsAsync(HttpContext context, EmulatedSandbox sandbox, Sandbox local)
    {
        var query = context.Request.Query;
        var path = Absolute(query["path"].ToString());
        if (await StatAsync(local, path, context.RequestAborted) is null)
        {
            await WriteToolboxErrorAsync(context, 404, $"stat {path}: no such file or directory");
            return;
        }

        var script = new StringBuilder();
        if (query["mode"].ToString() is { Length: > 0 } mode)
        {
            if (!IsOctal(mode))
            {
                await WriteToolboxErrorAsync(context, 400, "invalid mode format");
                return;
            }

            script.Append("chmod ").Append(mode).Append(' ').Append(Quote(path)).Append(" && ");
        }

        var owner = query["owner"].ToString();
        var group = query["group"].ToString();
        if (owner.Length > 0 || group.Length > 0)
        {
            script.Append("chown ").Append(Quote(owner + (group.Length > 0 ? ":" + group : string.Empty))).Append(' ').Append(Quote(path)).Append(" && ");
        }

        var result = await local.RunCommandAsync(script.Append("true").ToString(), context.RequestAborted);
        if (result.ExitCode != 0)
        {
            await WriteToolboxErrorAsync(context, 400, "failed to change permissions: " + result.Stderr.Trim());
            return;
        }

        context.Response.StatusCode = 200;
    }

    /// <summary>A path's entry, read from its parent's listing (the local provider has no stat); null when it does not exist.</summary>
    private static async Task<FileEntry?> StatAsync(Sandbox local, string path, CancellationToken cancellationToken)
    {
        if (path == "/")
        {
            return new FileEntry { Name = "/", Path = "/", IsDir = true, Mode = 0x1ED };
        }

        var slash = path.LastIndexOf('/');
        var parent = slash <= 0 ? "/" : path[..slash];
        try
        {
            var entries = await local.ListDirectoryAsync(parent, cancellationToken);
            return entries.FirstOrDefault(e => e.Name == path[(slash + 1)..]);
        }
        catch (NotFoundException)
        {
            return null;
        }
        catch (BadConfigException)
        {
            return null; // the parent is a file
        }
    }

    /// <summary>Relative paths are relative to the daemon's working directory.</summary>
    private static string Absolute(string path) => path.StartsWith('/') ? path : WorkDir + "/" + path;

    private static bool IsOctal(string text) => text.All(c => c is >= '0' and <= '7');

    private static bool IsEnvName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
