using System.Collections.Concurrent;
using System.Globalization;
using Refit;
using Sandboxes.Http;
using ToolboxFileInfo = Sandboxes.Providers.Daytona.Toolbox.FileInfo;

namespace Sandboxes.Providers.Daytona;

/// <summary>Files through the toolbox's <c>/files</c> routes; downloads and uploads stream, never buffered whole.</summary>
internal sealed partial class DaytonaProvider
{
    private readonly ConcurrentDictionary<string, string> _workDirs = new(StringComparer.Ordinal);

    public override async Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = await ResolveAsync(sandboxId, path, cancellationToken).ConfigureAwait(false);
        try
        {
            return await InSandboxAsync(sandboxId, toolbox => toolbox.DownloadFileAsync(absolute, cancellationToken), notFoundIsAnswer: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException e)
        {
            throw new NotFoundException(ProviderId, $"No file {absolute} in Daytona sandbox {sandboxId}.", e);
        }
        catch (ProviderException e) when (e.StatusCode == 400)
        {
            // The daemon answers "path must be a file" with a plain 400.
            if (await IsDirectoryAsync(sandboxId, absolute, cancellationToken).ConfigureAwait(false))
            {
                throw new BadConfigException(ProviderId, $"{absolute} is a directory, not a file; list it or download it as a directory.");
            }

            throw;
        }
    }

    public override async Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken)
    {
        var absolute = await ResolveAsync(sandboxId, path, cancellationToken).ConfigureAwait(false);
        var name = absolute[(absolute.LastIndexOf('/') + 1)..];
        // The daemon saves the multipart file under the path it is given, creating missing parent directories.
        await InSandboxAsync(sandboxId, toolbox => toolbox.UploadFileAsync(absolute, new StreamPart(new NonDisposingStream(content), name), cancellationToken),
            notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        if (options.Mode is { } mode)
        {
            await InSandboxAsync(sandboxId, toolbox => toolbox.SetFilePermissionsAsync(absolute, mode: Octal(mode), cancellationToken: cancellationToken),
                notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = await ResolveAsync(sandboxId, path, cancellationToken).ConfigureAwait(false);
        List<ToolboxFileInfo> files;
        try
        {
            files = await InSandboxAsync(sandboxId, toolbox => toolbox.ListFilesAsync(absolute, cancellationToken: cancellationToken), notFoundIsAnswer: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException e)
        {
            throw new NotFoundException(ProviderId, $"No directory {absolute} in Daytona sandbox {sandboxId}.", e);
        }

        return files.Select(f => ToEntry(absolute, f)).ToList();
    }

    public override async Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = await ResolveAsync(sandboxId, path, cancellationToken).ConfigureAwait(false);
        // MkdirAll on the daemon: parents are created, an existing directory is not an error.
        await InSandboxAsync(sandboxId, toolbox => toolbox.CreateFolderAsync(absolute, "0755", cancellationToken), notFoundIsAnswer: false,
            cancellationToken).ConfigureAwait(false);
    }

    public override async Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = await ResolveAsync(sandboxId, path, cancellationToken).ConfigureAwait(false);
        try
        {
            await InSandboxAsync(sandboxId, toolbox => toolbox.DeleteFileAsync(absolute, recursive: true, cancellationToken), notFoundIsAnswer: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Nothing there: removing is idempotent.
        }
    }

    public override async Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var absolute = await ResolveAsync(sandboxId, path, cancellationToken).ConfigureAwait(false);
        try
        {
            await InSandboxAsync(sandboxId, toolbox => toolbox.GetFileInfoAsync(absolute, cancellationToken), notFoundIsAnswer: true, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    private async Task<bool> IsDirectoryAsync(string sandboxId, string absolute, CancellationToken cancellationToken)
    {
        try
        {
            var info = await InSandboxAsync(sandboxId, toolbox => toolbox.GetFileInfoAsync(absolute, cancellationToken), notFoundIsAnswer: true,
                cancellationToken).ConfigureAwait(false);
            return info.IsDir;
        }
        catch (SandboxException)
        {
            return false;
        }
    }

    /// <summary>The absolute form of a sandbox path; a relative one needs the sandbox's working directory (asked once).</summary>
    private async ValueTask<string> ResolveAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        if (!DaytonaPaths.IsRelative(path))
        {
            return DaytonaPaths.Normalize(path, "/");
        }

        if (!_workDirs.TryGetValue(sandboxId, out var workDir))
        {
            var answer = await InSandboxAsync(sandboxId, toolbox => toolbox.GetWorkDirAsync(cancellationToken), notFoundIsAnswer: false, cancellationToken)
                .ConfigureAwait(false);
            workDir = _workDirs.GetOrAdd(sandboxId, answer.Dir);
        }

        return DaytonaPaths.Normalize(path, workDir);
    }

    private static FileEntry ToEntry(string directory, ToolboxFileInfo file) => new()
    {
        Name = file.Name,
        Path = DaytonaPaths.Join(directory, file.Name),
        IsDir = file.IsDir,
        // Go's FileMode text: "L" leads for a symbolic link (the daemon follows links, so it rarely shows).
        IsSymlink = file.Mode.StartsWith('L'),
        Size = file.Size,
        Mode = int.TryParse(file.Permissions, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? Convert.ToInt32(file.Permissions, 8)
            : 0,
        ModifiedAt = DateTimeOffset.TryParse(file.ModifiedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified)
            ? modified
            : null,
    };

    private static string Octal(int mode) => "0" + Convert.ToString(mode, 8);
}
