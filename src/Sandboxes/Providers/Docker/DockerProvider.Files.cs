using System.Formats.Tar;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Sandboxes.Remote;

namespace Sandboxes.Providers.Docker;

/// <summary>Files: tar archives in and out through the archive endpoints; listings, mkdir and rm through execs.</summary>
internal sealed partial class DockerProvider
{
    private const int MaxLinkHops = 16;

    public override async Task<Stream> OpenReadAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var client = await SandboxClientAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        var target = DockerPath.Normalize(path);
        for (var hop = 0; hop < MaxLinkHops; hop++)
        {
            Stream response;
            try
            {
                response = await client.ContainerArchiveAsync(sandboxId, target, cancellationToken).ConfigureAwait(false);
            }
            catch (NotFoundException e) when (!DockerErrors.IsMissingContainer(e))
            {
                throw new NotFoundException(ProviderId, $"{path} does not exist in sandbox {DockerErrors.Short(sandboxId)}.", e);
            }
            catch (SandboxException e)
            {
                throw DockerErrors.ForSandbox(e, sandboxId);
            }

            var (file, link) = await DockerArchive.FirstEntryAsync(response, path, sandboxId, cancellationToken).ConfigureAwait(false);
            if (file is not null)
            {
                return file;
            }

            target = DockerPath.Normalize(link!.StartsWith('/') ? link : DockerPath.Parent(target) + "/" + link);
        }

        throw new SandboxIOException(ProviderId, path, "too many levels of symbolic links");
    }

    public override async Task WriteFileAsync(string sandboxId, string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken)
    {
        var target = DockerPath.Normalize(path);
        if (target == "/")
        {
            throw new BadConfigException(ProviderId, "The root directory cannot be written as a file.");
        }

        var client = await SandboxClientAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        string? owner = null;
        if (!string.IsNullOrEmpty(options.User))
        {
            owner = await OwnerAsync(sandboxId, options.User, cancellationToken).ConfigureAwait(false);
        }

        // The tar header needs the size before the data: a stream that cannot tell it is spooled to a temporary file first.
        var seekable = content.CanSeek ? content : await SpoolAsync(content, cancellationToken).ConfigureAwait(false);
        var start = seekable.Position;
        try
        {
            var parent = DockerPath.Parent(target);
            try
            {
                await PutAsync(client, sandboxId, parent, [], DockerPath.Name(target), seekable, options.Mode, cancellationToken).ConfigureAwait(false);
            }
            catch (NotFoundException e) when (!DockerErrors.IsMissingContainer(e))
            {
                // Docker refuses a destination that does not exist (Podman creates it): send the missing directories along,
                // to the deepest directory that exists.
                var missing = new List<string>();
                var destination = parent;
                while (destination != "/" && await _engine.StatAsync(sandboxId, destination, cancellationToken).ConfigureAwait(false) is null)
                {
                    missing.Insert(0, DockerPath.Name(destination));
                    destination = DockerPath.Parent(destination);
                }

                var directories = new List<string>();
                var prefix = string.Empty;
                foreach (var directory in missing)
                {
                    prefix += directory + "/";
                    directories.Add(prefix);
                }

                seekable.Position = start;
                await PutAsync(client, sandboxId, destination, directories, prefix + DockerPath.Name(target), seekable, options.Mode, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            if (!ReferenceEquals(seekable, content))
            {
                await seekable.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (owner is not null)
        {
            // Engines differ on the owner an archive's entries get (Podman always makes them root's): chown settles it.
            var chown = await RunHelperAsync(sandboxId, DockerScripts.Chown, [target, owner], asRoot: true, cancellationToken).ConfigureAwait(false);
            if (chown.ExitCode != 0)
            {
                throw new SandboxIOException(ProviderId, path, $"cannot give it to {options.User}: {chown.Stderr}");
            }
        }
    }

    public override async Task<IReadOnlyList<FileEntry>> ListDirectoryAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var directory = DockerPath.Normalize(path);
        var result = await RunHelperAsync(sandboxId, DockerScripts.ListDirectory, [directory], asRoot: false, cancellationToken).ConfigureAwait(false);
        switch (result.ExitCode)
        {
            case 0:
                break;
            case KitScripts.NotFoundExit:
                throw new NotFoundException(ProviderId, $"{path} does not exist in sandbox {DockerErrors.Short(sandboxId)}.");
            case DockerScripts.WrongKindExit:
                throw new BadConfigException(ProviderId, $"{path} is not a directory.");
            default:
                throw new SandboxIOException(ProviderId, path, $"cannot list it: {result.Stderr}");
        }

        var entries = new List<FileEntry>();
        foreach (var record in Encoding.UTF8.GetString(result.Stdout).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = record.Split(' ', 4);
            if (fields.Length < 4 || !uint.TryParse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mode))
            {
                continue;
            }

            var type = mode & 0xF000;
            entries.Add(new FileEntry
            {
                Name = fields[3],
                Path = (directory == "/" ? string.Empty : directory) + "/" + fields[3],
                IsDir = type == 0x4000,
                IsSymlink = type == 0xA000,
                Size = long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0,
                Mode = (int)(mode & 0xFFF),
                ModifiedAt = long.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var mtime)
                    ? DateTimeOffset.FromUnixTimeSeconds(mtime)
                    : null,
            });
        }

        return entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    public override async Task MakeDirAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var directory = DockerPath.Normalize(path);
        var result = await RunHelperAsync(sandboxId, DockerScripts.MakeDir, [directory], asRoot: false, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == DockerScripts.WrongKindExit)
        {
            throw new BadConfigException(ProviderId, $"{path} exists and is not a directory.");
        }

        if (result.ExitCode != 0)
        {
            throw new SandboxIOException(ProviderId, path, $"cannot create it: {result.Stderr}");
        }
    }

    public override async Task RemoveAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var target = DockerPath.Normalize(path);
        if (target == "/")
        {
            throw new BadConfigException(ProviderId, "The sandbox's root directory cannot be removed.");
        }

        var result = await RunHelperAsync(sandboxId, DockerScripts.Remove, [target], asRoot: false, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SandboxIOException(ProviderId, path, $"cannot remove it: {result.Stderr}");
        }
    }

    public override async Task<bool> ExistsAsync(string sandboxId, string path, CancellationToken cancellationToken)
    {
        var target = DockerPath.Normalize(path);
        await SandboxClientAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return await _engine.StatAsync(sandboxId, target, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Sends one tar archive (the missing directories, then the file) to <c>PUT /containers/{id}/archive</c>. The archive is
    /// written into a pipe while the request reads it, so the file is never held in memory whole.
    /// </summary>
    private async Task PutAsync(Api.IDockerApi client, string sandboxId, string destination, IReadOnlyList<string> directories, string name,
        Stream content, int? mode, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        var producer = Task.Run(async () =>
        {
            var output = pipe.Writer.AsStream();
            try
            {
                var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
                await using (writer.ConfigureAwait(false))
                {
                    var now = DateTimeOffset.UtcNow;
                    foreach (var directory in directories)
                    {
                        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, directory)
                        {
                            Mode = (UnixFileMode)0x1ED, ModificationTime = now,
                        }, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name)
                    {
                        Mode = (UnixFileMode)(mode ?? 0x1A4), ModificationTime = now, DataStream = content,
                    }, cancellationToken).ConfigureAwait(false);
                }

                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
            }
        }, cancellationToken);

        var input = pipe.Reader.AsStream();
        try
        {
            await Call(sandboxId, () => client.PutContainerArchiveAsync(sandboxId, destination, input, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
        }
        finally
        {
            // Whatever the answer, the producer must not wait on a pipe nobody reads any more.
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    /// <summary>The <c>uid:gid</c> a file written for <paramref name="user"/> gets.</summary>
    private async Task<string> OwnerAsync(string sandboxId, string user, CancellationToken cancellationToken)
    {
        if (PasswdFile.IsNumeric(user))
        {
            return user;
        }

        var ids = (await PasswdAsync(sandboxId, refresh: true, cancellationToken).ConfigureAwait(false)).Find(user)
                  ?? throw new BadConfigException(ProviderId, $"Sandbox {DockerErrors.Short(sandboxId)} has no user '{user}' (it is not in /etc/passwd).");
        return $"{ids.Uid}:{ids.Gid}";
    }

    private static async Task<Stream> SpoolAsync(Stream content, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), "sandboxes-upload-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
