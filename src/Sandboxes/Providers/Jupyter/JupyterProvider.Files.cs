namespace Sandboxes.Providers.Jupyter;

// Files: the contents API, with what it lacks (permission bits, symbolic links) read and set through the kernel's agent.
internal sealed partial class JupyterProvider
{
    public override async Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var (server, paths) = await FilesAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var target = paths.Contents(path);
        JupyterContent content;
        try
        {
            content = await server.Rest.GetContentAsync(target, content: true, cancellationToken).ConfigureAwait(false);
        }
        catch (BadConfigException refused)
        {
            throw await IsDirectoryAsync(server, target, cancellationToken).ConfigureAwait(false)
                ? new BadConfigException(ProviderId, $"'{paths.Absolute(path)}' is a directory, not a file.")
                : refused;
        }
        catch (NotFoundException)
        {
            throw new NotFoundException(ProviderId, $"'{paths.Absolute(path)}' does not exist.");
        }

        // The contents API answers with the whole file; there is no ranged read.
        return new MemoryStream(Convert.FromBase64String(content.Base64 ?? string.Empty), writable: false);
    }

    public override async Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken)
    {
        var (server, paths) = await FilesAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var target = paths.Contents(path);
        if (target.Length == 0 || paths.Absolute(path) == "/")
        {
            throw new BadConfigException(ProviderId, "Cannot write a file at the server's root.");
        }

        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        await MakeDirsAsync(server, ParentOf(target), cancellationToken).ConfigureAwait(false);
        await server.Rest.PutFileAsync(target, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        if (options.Mode is { } mode)
        {
            // CUSTOM: the contents API has no permission bits; the kernel sets them.
            var agent = await AgentAsync(sandboxId, cancellationToken).ConfigureAwait(false);
            await agent.CallAsync("chmod", w =>
            {
                w.WriteString("path", paths.Absolute(path));
                w.WriteNumber("mode", mode);
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var (server, paths) = await FilesAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<JupyterContent> entries;
        try
        {
            entries = await server.Rest.ListDirectoryAsync(paths.Contents(path), cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            throw new NotFoundException(ProviderId, $"'{paths.Absolute(path)}' does not exist.");
        }
        catch (BadConfigException)
        {
            throw new BadConfigException(ProviderId, $"'{paths.Absolute(path)}' is not a directory.");
        }

        var absolute = entries.Select(e => paths.FromContents(e.Path)).ToList();
        var agent = await AgentAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var stats = await agent.CallAsync("stat", w =>
        {
            w.WriteStartArray("paths");
            foreach (var p in absolute)
            {
                w.WriteStringValue(p);
            }

            w.WriteEndArray();
        }, cancellationToken).ConfigureAwait(false);
        return entries.Select((e, i) =>
        {
            var found = stats.TryGetProperty(absolute[i], out var stat);
            return new FileEntry
            {
                Name = e.Name,
                Path = absolute[i],
                IsDir = e.IsDirectory,
                IsSymlink = found && stat.GetProperty("link").GetBoolean(),
                Size = e.Size ?? 0,
                Mode = found ? stat.GetProperty("mode").GetInt32() : 0,
                ModifiedAt = e.LastModified,
            };
        }).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    public override async Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var (server, paths) = await FilesAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        await MakeDirsAsync(server, paths.Contents(path), cancellationToken).ConfigureAwait(false);
    }

    public override async Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var (server, paths) = await FilesAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        await RemoveTreeAsync(server, paths.Contents(path), cancellationToken).ConfigureAwait(false);
    }

    public override async Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var (server, paths) = await FilesAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        try
        {
            await server.Rest.GetContentAsync(paths.Contents(path), content: false, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    private async Task<(Server Server, JupyterPaths Paths)> FilesAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        return (server, await PathsAsync(sandboxId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task MakeDirsAsync(Server server, string contentsPath, CancellationToken cancellationToken)
    {
        // The contents API makes one directory at a time, and making an existing one is not an error.
        var parts = contentsPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i <= parts.Length; i++)
        {
            var partial = string.Join('/', parts.Take(i));
            try
            {
                await server.Rest.PutDirectoryAsync(partial, cancellationToken).ConfigureAwait(false);
            }
            catch (BadConfigException)
            {
                throw new BadConfigException(ProviderId, $"'/{partial}' exists and is not a directory.");
            }
        }
    }

    private static async Task RemoveTreeAsync(Server server, string contentsPath, CancellationToken cancellationToken)
    {
        try
        {
            await server.Rest.DeleteContentAsync(contentsPath, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Removing what is not there is not an error.
        }
        catch (BadConfigException)
        {
            if (!await IsDirectoryAsync(server, contentsPath, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            // A server that keeps non-empty directories (always_delete_dir off): empty it first.
            foreach (var child in await server.Rest.ListDirectoryAsync(contentsPath, cancellationToken).ConfigureAwait(false))
            {
                await RemoveTreeAsync(server, child.Path, cancellationToken).ConfigureAwait(false);
            }

            await server.Rest.DeleteContentAsync(contentsPath, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<bool> IsDirectoryAsync(Server server, string contentsPath, CancellationToken cancellationToken)
    {
        try
        {
            return (await server.Rest.GetContentAsync(contentsPath, content: false, cancellationToken).ConfigureAwait(false)).IsDirectory;
        }
        catch (SandboxException)
        {
            return false;
        }
    }

    private static string ParentOf(string contentsPath)
    {
        var slash = contentsPath.LastIndexOf('/');
        return slash < 0 ? string.Empty : contentsPath[..slash];
    }
}
