using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sandboxes.Emulators.E2B.Rpc.Filesystem;

namespace Sandboxes.Emulators.E2B;

public sealed partial class E2BEmulator
{
    private const string FilesystemPrefix = "/filesystem.Filesystem/";

    private void MapFilesystemService(IEndpointRouteBuilder routes)
    {
        Unary<StatRequest, StatResponse>(routes, FilesystemPrefix + "Stat", StatRequest.Parser, StatAsync);
        Unary<MakeDirRequest, MakeDirResponse>(routes, FilesystemPrefix + "MakeDir", MakeDirRequest.Parser, MakeDirAsync);
        Unary<ListDirRequest, ListDirResponse>(routes, FilesystemPrefix + "ListDir", ListDirRequest.Parser, ListDirAsync);
        Unary<RemoveRequest, RemoveResponse>(routes, FilesystemPrefix + "Remove", RemoveRequest.Parser, RemoveAsync);
        foreach (var method in new[] { "Move", "WatchDir", "CreateWatcher", "GetWatcherEvents", "RemoveWatcher" })
        {
            routes.MapPost(FilesystemPrefix + method, Unimplemented).WithName("filesystem.Filesystem/" + method);
        }
    }

    private async Task<StatResponse> StatAsync(EmulatedSandbox sandbox, StatRequest request, HttpRequest http)
    {
        var path = await FilesystemPathAsync(sandbox, request.Path, http);
        var entry = await EntryAsync(sandbox, path) ?? throw new ConnectRpcException("not_found", $"file not found: stat {path}: no such file or directory");
        return new StatResponse { Entry = new EntryInfo { Name = entry.Name, Type = entry.IsDir ? FileType.Directory : FileType.File } };
    }

    private async Task<MakeDirResponse> MakeDirAsync(EmulatedSandbox sandbox, MakeDirRequest request, HttpRequest http)
    {
        var path = await FilesystemPathAsync(sandbox, request.Path, http);
        if (await EntryAsync(sandbox, path) is { } existing)
        {
            throw existing.IsDir
                ? new ConnectRpcException("already_exists", $"directory already exists: {path}")
                : new ConnectRpcException("invalid_argument", $"path already exists but it is not a directory: {path}");
        }

        await sandbox.Local.MakeDirAsync(path);
        return new MakeDirResponse { Entry = new EntryInfo { Name = Path.GetFileName(path), Type = FileType.Directory, Path = path } };
    }

    private async Task<ListDirResponse> ListDirAsync(EmulatedSandbox sandbox, ListDirRequest request, HttpRequest http)
    {
        var path = await FilesystemPathAsync(sandbox, request.Path, http);
        var entry = await EntryAsync(sandbox, path) ?? throw new ConnectRpcException("not_found", $"path not found: {path}");
        if (!entry.IsDir)
        {
            throw new ConnectRpcException("invalid_argument", $"path is not a directory: {path}");
        }

        var response = new ListDirResponse();
        await AddEntriesAsync(sandbox, path, request.Depth == 0 ? 1 : (int)request.Depth, response);
        return response;
    }

    private async Task<RemoveResponse> RemoveAsync(EmulatedSandbox sandbox, RemoveRequest request, HttpRequest http)
    {
        await sandbox.Local.RemoveAsync(await FilesystemPathAsync(sandbox, request.Path, http));
        return new RemoveResponse();
    }

    private static async Task AddEntriesAsync(EmulatedSandbox sandbox, string dir, int depth, ListDirResponse response)
    {
        foreach (var entry in await sandbox.Local.ListDirectoryAsync(dir))
        {
            var info = new EntryInfo
            {
                Name = entry.Name,
                Type = entry.IsSymlink ? FileType.Symlink : entry.IsDir ? FileType.Directory : FileType.File,
                Path = entry.Path,
                Size = entry.Size,
                Mode = (uint)entry.Mode,
                Permissions = Permissions(entry),
            };
            if (entry.ModifiedAt is { } modified)
            {
                info.ModifiedTime = Timestamp.FromDateTimeOffset(modified);
            }

            response.Entries.Add(info);
            if (entry.IsDir && !entry.IsSymlink && depth > 1)
            {
                await AddEntriesAsync(sandbox, entry.Path, depth - 1, response);
            }
        }
    }

    /// <summary>The path a filesystem call names, as envd resolves it for the call's user.</summary>
    private static async Task<string> FilesystemPathAsync(EmulatedSandbox sandbox, string path, HttpRequest http)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ConnectRpcException("invalid_argument", "path is required");
        }

        return ResolvePath(path, await UserAsync(sandbox, BasicUser(http)));
    }

    /// <summary>Go's <c>FileMode.String()</c> of the entry, as envd reports it.</summary>
    private static string Permissions(FileEntry entry)
    {
        var bits = "rwxrwxrwx".Select((c, i) => (entry.Mode & (1 << (8 - i))) != 0 ? c : '-');
        return (entry.IsSymlink ? "L" : entry.IsDir ? "d" : "-") + string.Concat(bits);
    }
}
