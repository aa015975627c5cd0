namespace Sandboxes;

public sealed partial class Sandbox
{
    /// <summary>
    /// Copies a local file, or a whole directory tree, into the sandbox at <paramref name="remotePath"/> (parents are
    /// created, permission bits kept). Symbolic links in a directory are skipped, never followed, so a link cannot drag
    /// files from elsewhere on this machine into the sandbox.
    /// </summary>
    /// <returns>The number of files copied.</returns>
    /// <exception cref="BadConfigException">The local path does not exist.</exception>
    public int Upload(string localPath, string remotePath) =>
        SyncBridge.Run(ct => UploadAsync(localPath, remotePath, ct), CancellationToken.None);

    /// <inheritdoc cref="Upload"/>
    public async Task<int> UploadAsync(string localPath, string remotePath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(localPath);
        RequestValidator.ValidatePath(Provider, remotePath);
        if (File.Exists(localPath))
        {
            await UploadFileAsync(localPath, remotePath, cancellationToken).ConfigureAwait(false);
            return 1;
        }

        if (!Directory.Exists(localPath))
        {
            throw new BadConfigException(Provider, $"Nothing to upload: {localPath} does not exist.");
        }

        Capabilities.Require(Capability.FilesTransfer, "UploadAsync of a directory");
        return await UploadDirectoryAsync(new DirectoryInfo(localPath), remotePath.TrimEnd('/'), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a sandbox file, or a whole directory tree, to <paramref name="localPath"/> on this machine. Names coming
    /// from the sandbox are untrusted: an entry that would land outside <paramref name="localPath"/> is refused, and
    /// symbolic links inside the sandbox are skipped. Each file is written to a temporary name and moved into place,
    /// so an interrupted download never leaves a half-written file under the final name.
    /// </summary>
    /// <returns>The number of files copied.</returns>
    /// <exception cref="NotFoundException">The sandbox path does not exist.</exception>
    public int Download(string remotePath, string localPath) =>
        SyncBridge.Run(ct => DownloadAsync(remotePath, localPath, ct), CancellationToken.None);

    /// <inheritdoc cref="Download"/>
    public async Task<int> DownloadAsync(string remotePath, string localPath, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidatePath(Provider, remotePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(localPath);
        var isDirectory = await IsDirectoryAsync(remotePath, cancellationToken).ConfigureAwait(false);
        if (!isDirectory)
        {
            await DownloadFileAsync(remotePath, Path.GetFullPath(localPath), cancellationToken).ConfigureAwait(false);
            return 1;
        }

        Capabilities.Require(Capability.FilesTransfer, "DownloadAsync of a directory");
        var root = Path.GetFullPath(localPath);
        Directory.CreateDirectory(root);
        return await DownloadDirectoryAsync(remotePath.TrimEnd('/') is { Length: > 0 } r ? r : "/", root, root, cancellationToken).ConfigureAwait(false);
    }

    private async Task UploadFileAsync(string localFile, string remotePath, CancellationToken cancellationToken)
    {
        var mode = OperatingSystem.IsWindows() ? (int?)null : (int)File.GetUnixFileMode(localFile) & 0xFFF;
        var stream = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            await WriteFileAsync(remotePath, stream, new WriteFileOptions { Mode = mode }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> UploadDirectoryAsync(DirectoryInfo directory, string remoteDir, CancellationToken cancellationToken)
    {
        await MakeDirAsync(remoteDir.Length == 0 ? "/" : remoteDir, cancellationToken).ConfigureAwait(false);
        var count = 0;
        foreach (var entry in directory.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            var remote = remoteDir + "/" + entry.Name;
            if (entry is DirectoryInfo sub)
            {
                count += await UploadDirectoryAsync(sub, remote, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await UploadFileAsync(entry.FullName, remote, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }

        return count;
    }

    private async Task<bool> IsDirectoryAsync(string remotePath, CancellationToken cancellationToken)
    {
        var trimmed = remotePath.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return true;
        }

        var slash = trimmed.LastIndexOf('/');
        var parent = slash switch { < 0 => ".", 0 => "/", _ => trimmed[..slash] };
        var name = trimmed[(slash + 1)..];
        var entries = await ListDirectoryAsync(parent, cancellationToken).ConfigureAwait(false);
        var entry = entries.FirstOrDefault(e => e.Name == name)
                    ?? throw new NotFoundException(Provider, $"Nothing to download: {remotePath} does not exist in sandbox {Id}.");
        return entry.IsDir && !entry.IsSymlink;
    }

    private async Task<int> DownloadDirectoryAsync(string remoteDir, string localDir, string root, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var entry in await ListDirectoryAsync(remoteDir, cancellationToken).ConfigureAwait(false))
        {
            if (entry.IsSymlink)
            {
                continue;
            }

            var target = SafeLocalPath(root, localDir, entry.Name);
            var remote = (remoteDir == "/" ? string.Empty : remoteDir) + "/" + entry.Name;
            if (entry.IsDir)
            {
                Directory.CreateDirectory(target);
                count += await DownloadDirectoryAsync(remote, target, root, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await DownloadFileAsync(remote, target, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }

        return count;
    }

    private async Task DownloadFileAsync(string remotePath, string localFile, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(localFile)!);
        var temporary = localFile + ".sbx-" + Guid.NewGuid().ToString("N")[..8] + ".part";
        try
        {
            var source = await OpenReadAsync(remotePath, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }
            }

            // A move replaces whatever is at the final name, a symbolic link included, instead of writing through it.
            File.Move(temporary, localFile, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private string SafeLocalPath(string root, string localDir, string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) ||
            name.Contains('\\', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidSandboxPathException(Provider, name, "a sandbox entry name must be a single path segment");
        }

        var target = Path.GetFullPath(Path.Join(localDir, name));
        if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidSandboxPathException(Provider, name, $"it would be written outside {root}");
        }

        return target;
    }
}
