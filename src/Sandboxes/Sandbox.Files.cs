using System.Text;

namespace Sandboxes;

public sealed partial class Sandbox
{
    /// <summary>Reads a whole file. Paths are sandbox paths; a path that leaves the sandbox is refused.</summary>
    /// <exception cref="NotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidSandboxPathException">The path leaves the sandbox.</exception>
    public byte[] ReadFile(string path) => SyncBridge.Run(ct => ReadFileAsync(path, ct), CancellationToken.None);

    /// <summary>Reads a whole file.</summary>
    /// <exception cref="NotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidSandboxPathException">The path leaves the sandbox.</exception>
    public async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = await OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Reads a whole file as UTF-8 text.</summary>
    public string ReadText(string path) => Encoding.UTF8.GetString(ReadFile(path));

    /// <summary>Reads a whole file as UTF-8 text.</summary>
    public async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadFileAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Opens a file for reading as a stream (large files are not buffered whole).</summary>
    public Stream OpenRead(string path) => SyncBridge.Run(ct => OpenReadAsync(path, ct), CancellationToken.None);

    /// <summary>Opens a file for reading as a stream (large files are not buffered whole).</summary>
    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidatePath(Provider, path);
        return _provider.OpenReadAsync(Id, path, cancellationToken);
    }

    /// <summary>Writes a file, creating parent directories and replacing what was there.</summary>
    /// <param name="path">The sandbox path.</param>
    /// <param name="content">The bytes to write.</param>
    /// <param name="mode">Unix permission bits; null for 0644.</param>
    /// <param name="user">Owner inside the sandbox; null for the default user.</param>
    public void WriteFile(string path, byte[] content, int? mode = null, string? user = null) =>
        SyncBridge.Run(ct => WriteFileAsync(path, content, mode, user, ct), CancellationToken.None);

    /// <summary>Writes a file, creating parent directories and replacing what was there.</summary>
    public Task WriteFileAsync(string path, byte[] content, int? mode = null, string? user = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return WriteFileAsync(path, new MemoryStream(content, writable: false), new WriteFileOptions { Mode = mode, User = user }, cancellationToken);
    }

    /// <summary>Writes a file from a stream (read to its end, not buffered whole).</summary>
    public void WriteFile(string path, Stream content, WriteFileOptions? options = null) =>
        SyncBridge.Run(ct => WriteFileAsync(path, content, options, ct), CancellationToken.None);

    /// <summary>Writes a file from a stream (read to its end, not buffered whole).</summary>
    public Task WriteFileAsync(string path, Stream content, WriteFileOptions? options = null, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidatePath(Provider, path);
        ArgumentNullException.ThrowIfNull(content);
        options ??= WriteFileOptions.Default;
        if (options.Mode is < 0 or > 0xFFF)
        {
            throw new BadConfigException(Provider, $"A file mode is between 0 and 07777, not {options.Mode}.");
        }

        if (!string.IsNullOrEmpty(options.User))
        {
            Capabilities.Require(Capability.RunAsUser, "WriteFileOptions.User");
        }

        return _provider.WriteFileAsync(Id, path, content, options, cancellationToken);
    }

    /// <summary>Writes UTF-8 text to a file.</summary>
    public void WriteText(string path, string text) => WriteFile(path, Encoding.UTF8.GetBytes(text ?? string.Empty));

    /// <summary>Writes UTF-8 text to a file.</summary>
    public Task WriteTextAsync(string path, string text, CancellationToken cancellationToken = default) =>
        WriteFileAsync(path, Encoding.UTF8.GetBytes(text ?? string.Empty), cancellationToken: cancellationToken);

    /// <summary>Lists a directory (name, path, is_dir, size, mode of each entry).</summary>
    public IReadOnlyList<FileEntry> ListDirectory(string path) => SyncBridge.Run(ct => ListDirectoryAsync(path, ct), CancellationToken.None);

    /// <summary>Lists a directory (name, path, is_dir, size, mode of each entry).</summary>
    public Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string path, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidatePath(Provider, path);
        return _provider.ListDirectoryAsync(Id, path, cancellationToken);
    }

    /// <summary>Creates a directory and its parents; an existing directory is not an error.</summary>
    public void MakeDir(string path) => SyncBridge.Run(ct => MakeDirAsync(path, ct), CancellationToken.None);

    /// <summary>Creates a directory and its parents; an existing directory is not an error.</summary>
    public Task MakeDirAsync(string path, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidatePath(Provider, path);
        return _provider.MakeDirAsync(Id, path, cancellationToken);
    }

    /// <summary>Removes a file, or a directory with everything in it; a missing path is not an error.</summary>
    public void Remove(string path) => SyncBridge.Run(ct => RemoveAsync(path, ct), CancellationToken.None);

    /// <summary>Removes a file, or a directory with everything in it; a missing path is not an error.</summary>
    public Task RemoveAsync(string path, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidatePath(Provider, path);
        return _provider.RemoveAsync(Id, path, cancellationToken);
    }

    /// <summary>Tells whether a path exists.</summary>
    public bool Exists(string path) => SyncBridge.Run(ct => ExistsAsync(path, ct), CancellationToken.None);

    /// <summary>Tells whether a path exists.</summary>
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidatePath(Provider, path);
        return _provider.ExistsAsync(Id, path, cancellationToken);
    }
}
