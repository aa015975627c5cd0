using Refit;
using Sandboxes.Http;
using Sandboxes.Providers.E2B.Connect;
using Sandboxes.Providers.E2B.Rpc.Filesystem;

namespace Sandboxes.Providers.E2B;

internal sealed partial class E2BProvider
{
    // Sets file $2's permission bits to $1 (octal): envd's upload takes no mode.
    private const string ChmodScript = """chmod "$1" -- "$2" """;

    public override Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = E2BPaths.Absolute(path, _options.Workdir);
        return OnEnvdAsync(sandboxId, c => FileCallAsync(() => c.Files.GetFilesAsync(absolute, _options.User, cancellationToken: cancellationToken)), cancellationToken);
    }

    public override Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken)
    {
        var absolute = E2BPaths.Absolute(path, _options.Workdir);
        var user = options.User ?? _options.User;
        return OnEnvdAsync(sandboxId, async connection =>
        {
            // Streamed as a multipart part (never buffered whole); envd creates the parent directories.
            await FileCallAsync(() => connection.Files.PostFilesAsync(absolute, user, file: new StreamPart(new NonDisposingStream(content), absolute), cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            if (options.Mode is { } mode)
            {
                // envd's upload takes no mode: the owner sets it.
                var chmod = await RunHelperAsUserAsync(sandboxId, ChmodScript, [Convert.ToString(mode, 8), absolute], user, cancellationToken)
                    .ConfigureAwait(false);
                if (chmod.ExitCode != 0)
                {
                    throw new SandboxIOException(ProviderId, absolute, "setting its mode failed: " + chmod.Stderr);
                }
            }
        }, cancellationToken);
    }

    public override Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = E2BPaths.Absolute(path, _options.Workdir);
        return OnEnvdAsync<IReadOnlyList<FileEntry>>(sandboxId, async connection =>
        {
            var entries = await FileCallAsync(() => connection.ListDirAsync(absolute, UserCall, cancellationToken)).ConfigureAwait(false);
            return entries.Select(e => new FileEntry
            {
                Name = e.Name,
                Path = e.Path,
                IsDir = e.Type == FileType.Directory,
                IsSymlink = e.Type == FileType.Symlink || e.HasSymlinkTarget,
                Size = e.Size,
                Mode = (int)e.Mode,
                ModifiedAt = e.ModifiedTime?.ToDateTimeOffset(),
            }).ToList();
        }, cancellationToken);
    }

    public override Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = E2BPaths.Absolute(path, _options.Workdir);
        return OnEnvdAsync(sandboxId, async connection =>
        {
            try
            {
                await FileCallAsync(() => connection.MakeDirAsync(absolute, UserCall, cancellationToken)).ConfigureAwait(false);
            }
            catch (ProviderException e) when (e.ErrorCode == "already_exists")
            {
                // An existing directory is what was asked for.
            }
        }, cancellationToken);
    }

    public override Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = E2BPaths.Absolute(path, _options.Workdir);
        return OnEnvdAsync(sandboxId, c => FileCallAsync(() => c.RemoveAsync(absolute, UserCall, cancellationToken)), cancellationToken);
    }

    public override Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = E2BPaths.Absolute(path, _options.Workdir);
        return OnEnvdAsync(sandboxId, async connection =>
        {
            try
            {
                await FileCallAsync(() => connection.StatAsync(absolute, UserCall, cancellationToken)).ConfigureAwait(false);
                return true;
            }
            catch (NotFoundException)
            {
                return false;
            }
        }, cancellationToken);
    }

    /// <summary>File calls run as the adapter's user, as the HTTP ones do through their <c>username</c>.</summary>
    private ConnectCallOptions UserCall => new() { Headers = [EnvdConnection.UserHeader(_options.User)] };

    /// <summary>
    /// A file call's 400 (envd: an invalid path, a directory where a file was expected) is bad input, not a provider
    /// failure; the message says which.
    /// </summary>
    private static async Task<T> FileCallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.StatusCode == 400)
        {
            throw new BadConfigException(ProviderId, e.Message, e);
        }
    }

    private static Task FileCallAsync(Func<Task> call) => FileCallAsync(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });
}
