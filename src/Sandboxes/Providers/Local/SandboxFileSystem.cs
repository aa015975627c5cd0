using Microsoft.Win32.SafeHandles;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// File operations on a sandbox from the host, resolved exactly as the sandbox sees its files: every path is opened with
/// <c>openat2(RESOLVE_IN_ROOT)</c> relative to the sandbox's root, so <c>..</c> and absolute symbolic links created inside
/// the sandbox stay inside it, and links into other processes' files (<c>/proc/N/root</c>) are refused. A host file the
/// sandbox cannot see is never read or written.
/// </summary>
internal sealed class SandboxFileSystem
{
    private const ulong Resolve = LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS;
    private readonly Func<int> _openRoot;
    private readonly (int Uid, int Gid)? _rootOwner;
    private readonly Func<string, (int Uid, int Gid)> _resolveUser;

    /// <param name="openRoot">Opens the sandbox's root (see <see cref="SandboxRoot"/>, or its directory in process isolation).</param>
    /// <param name="rootOwner">The host ids of the sandbox's root, which own what the client makes (null: this process's own).</param>
    /// <param name="resolveUser">Maps a user name or uid to the host ids to own written files.</param>
    public SandboxFileSystem(Func<int> openRoot, (int Uid, int Gid)? rootOwner, Func<string, (int Uid, int Gid)> resolveUser)
    {
        _openRoot = openRoot;
        _rootOwner = rootOwner;
        _resolveUser = resolveUser;
    }

    public Stream OpenRead(string path)
    {
        var (absolute, relative) = SandboxPath.Normalize(path);
        using var root = OpenRoot();
        // Non-blocking so that a FIFO or device cannot hang the open; only regular files are read.
        var fd = LibC.OpenAt2(root.Value, relative, LibC.O_RDONLY | LibC.O_NONBLOCK, 0, Resolve);
        if (fd < 0)
        {
            throw Error(LibC.LastError, absolute);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        RequireRegularFile(handle, fd, absolute);
        LibC.SetBlocking(fd);
        return new FileStream(handle, FileAccess.Read, bufferSize: 0);
    }

    public async Task WriteAsync(string path, Stream content, WriteFileOptions options, CancellationToken cancellationToken)
    {
        var (absolute, relative) = SandboxPath.Normalize(path);
        if (relative == ".")
        {
            throw new BadConfigException(LocalProvider.ProviderId, "Cannot write a file at the sandbox's root.");
        }

        var owner = options.User is { Length: > 0 } user ? _resolveUser(user) : _rootOwner;
        MakeDirs("/" + ParentOf(relative), owner);
        int fd;
        using (var root = OpenRoot())
        {
            fd = OpenForWrite(root.Value, relative, options.Mode ?? 0x1A4, owner);
            if (fd < 0)
            {
                throw Error(LibC.LastError, absolute);
            }
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RequireRegularFile(handle, fd, absolute);
        LibC.SetBlocking(fd);
        if (LibC.FTruncate(fd, 0) != 0)
        {
            throw Error(LibC.LastError, absolute);
        }

        if (options.Mode is { } mode)
        {
            LibC.FChmod(fd, mode); // the umask may have narrowed the mode given at creation
        }

        if (options.User is { Length: > 0 } && owner is { } o && LibC.FChown(fd, o.Uid, o.Gid) != 0)
        {
            throw Error(LibC.LastError, absolute);
        }

        var output = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        await using (output.ConfigureAwait(false))
        {
            try
            {
                await content.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new SandboxIOException(LocalProvider.ProviderId, absolute, e.Message, e);
            }
        }
    }

    public IReadOnlyList<FileEntry> List(string path)
    {
        var (absolute, relative) = SandboxPath.Normalize(path);
        using var root = OpenRoot();
        var fd = LibC.OpenAt2(root.Value, relative, LibC.O_RDONLY | LibC.O_DIRECTORY, 0, Resolve);
        if (fd < 0)
        {
            throw Error(LibC.LastError, absolute);
        }

        using var dir = new OwnedFd(fd);
        var entries = new List<FileEntry>();
        foreach (var name in ConfinedDirectory.Names(fd))
        {
            if (LibC.Statx(fd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
            {
                continue; // removed while listing
            }

            var type = st.Mode & LibC.S_IFMT;
            entries.Add(new FileEntry
            {
                Name = name,
                Path = absolute == "/" ? "/" + name : absolute + "/" + name,
                IsDir = type == LibC.S_IFDIR,
                IsSymlink = type == LibC.S_IFLNK,
                Size = (long)st.Size,
                Mode = st.Mode & 0xFFF,
                ModifiedAt = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds).AddTicks(st.MtimeNanoseconds / 100),
            });
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }

    public void MakeDirs(string path) => MakeDirs(path, _rootOwner);

    private void MakeDirs(string path, (int Uid, int Gid)? owner)
    {
        var (_, relative) = SandboxPath.Normalize(path);
        if (relative == ".")
        {
            return;
        }

        var parts = relative.Split('/');
        using var root = OpenRoot();
        for (var i = 1; i <= parts.Length; i++)
        {
            var prefix = string.Join('/', parts, 0, i);
            var fd = LibC.OpenAt2(root.Value, prefix, LibC.O_PATH | LibC.O_DIRECTORY, 0, Resolve);
            if (fd >= 0)
            {
                LibC.Close(fd);
                continue;
            }

            var error = LibC.LastError;
            if (error != LibC.ENOENT)
            {
                throw Error(error, "/" + prefix);
            }

            var parent = i == 1 ? "." : string.Join('/', parts, 0, i - 1);
            var parentFd = LibC.OpenAt2(root.Value, parent, LibC.O_PATH | LibC.O_DIRECTORY, 0, Resolve);
            if (parentFd < 0)
            {
                throw Error(LibC.LastError, "/" + parent);
            }

            using var parentHandle = new OwnedFd(parentFd);
            int made;
            using (FsCredentials.As(owner))
            {
                made = LibC.MkDirAt(parentFd, parts[i - 1], 0x1ED);
            }

            if (made != 0 && LibC.LastError == LibC.EACCES && owner is not null)
            {
                // A directory the owner may not write (the sandbox's root may, through its capabilities): made by this
                // process and given away below.
                made = LibC.MkDirAt(parentFd, parts[i - 1], 0x1ED);
            }

            if (made != 0 && LibC.LastError != LibC.EEXIST)
            {
                throw Error(LibC.LastError, "/" + prefix);
            }

            if (owner is { } o && LibC.GetEuid() == 0)
            {
                var created = LibC.OpenAt2(parentFd, parts[i - 1], LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, 0);
                if (created >= 0)
                {
                    LibC.FChown(created, o.Uid, o.Gid);
                    LibC.Close(created);
                }
            }
        }
    }

    public void Remove(string path)
    {
        var (absolute, relative) = SandboxPath.Normalize(path);
        if (relative == ".")
        {
            throw new InvalidSandboxPathException(LocalProvider.ProviderId, path, "the sandbox's root cannot be removed");
        }

        using var root = OpenRoot();
        var parentFd = LibC.OpenAt2(root.Value, ParentOf(relative), LibC.O_RDONLY | LibC.O_DIRECTORY, 0, Resolve);
        if (parentFd < 0)
        {
            var error = LibC.LastError;
            if (error is LibC.ENOENT or LibC.ENOTDIR)
            {
                return;
            }

            throw Error(error, absolute);
        }

        using var parent = new OwnedFd(parentFd);
        RemoveEntry(parentFd, NameOf(relative), absolute);
    }

    public bool Exists(string path)
    {
        var (absolute, relative) = SandboxPath.Normalize(path);
        using var root = OpenRoot();
        var fd = LibC.OpenAt2(root.Value, relative, LibC.O_PATH, 0, Resolve);
        if (fd >= 0)
        {
            LibC.Close(fd);
            return true;
        }

        var error = LibC.LastError;
        return error is LibC.ENOENT or LibC.ENOTDIR ? false : throw Error(error, absolute);
    }

    /// <summary>True when <paramref name="path"/> exists and is a directory.</summary>
    public bool IsDirectory(string path)
    {
        var (_, relative) = SandboxPath.Normalize(path);
        using var root = OpenRoot();
        var fd = LibC.OpenAt2(root.Value, relative, LibC.O_PATH | LibC.O_DIRECTORY, 0, Resolve);
        if (fd < 0)
        {
            return false;
        }

        LibC.Close(fd);
        return true;
    }

    private static void RemoveEntry(int parentFd, string name, string absolute)
    {
        var error = ConfinedDirectory.RemoveEntry(parentFd, name);
        if (error != 0)
        {
            throw Error(error, absolute);
        }
    }

    private static void RequireRegularFile(SafeFileHandle handle, int fd, string absolute)
    {
        if (LibC.Statx(fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var st) != 0)
        {
            var error = LibC.LastError;
            handle.Dispose();
            throw Error(error, absolute);
        }

        var type = st.Mode & LibC.S_IFMT;
        if (type != LibC.S_IFREG)
        {
            handle.Dispose();
            throw type == LibC.S_IFDIR
                ? new BadConfigException(LocalProvider.ProviderId, $"'{absolute}' is a directory, not a file.")
                : new BadConfigException(LocalProvider.ProviderId, $"'{absolute}' is not a regular file (a FIFO, socket or device).");
        }
    }

    private OwnedFd OpenRoot() => new(_openRoot());

    // Opens a file for writing, creating it as its owner when it does not exist: as the owner's file-system ids, so a
    // file is born theirs and the sandbox's own file systems accept it; as this process where the owner may not (an
    // existing file of another sandbox user, which the sandbox's root could write through its capabilities).
    private static int OpenForWrite(int root, string relative, int mode, (int Uid, int Gid)? owner)
    {
        int fd;
        using (FsCredentials.As(owner))
        {
            fd = LibC.OpenAt2(root, relative, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_NONBLOCK, mode, Resolve);
        }

        if (fd < 0 && LibC.LastError == LibC.EACCES && owner is not null)
        {
            fd = LibC.OpenAt2(root, relative, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_NONBLOCK, mode, Resolve);
        }

        return fd;
    }

    private static string ParentOf(string relative)
    {
        var slash = relative.LastIndexOf('/');
        return slash < 0 ? "." : relative[..slash];
    }

    private static string NameOf(string relative) => relative[(relative.LastIndexOf('/') + 1)..];

    internal static SandboxException Error(int errno, string path) => errno switch
    {
        LibC.ENOENT => new NotFoundException(LocalProvider.ProviderId, $"No such file or directory in the sandbox: {path}"),
        LibC.ENOTDIR => new NotFoundException(LocalProvider.ProviderId, $"A part of the path is not a directory: {path}"),
        LibC.EISDIR => new BadConfigException(LocalProvider.ProviderId, $"'{path}' is a directory, not a file."),
        LibC.ELOOP => new InvalidSandboxPathException(LocalProvider.ProviderId, path, "it goes through too many links, or a link to another process's files"),
        LibC.EXDEV => new InvalidSandboxPathException(LocalProvider.ProviderId, path, "it resolves outside the sandbox"),
        LibC.ENAMETOOLONG => new InvalidSandboxPathException(LocalProvider.ProviderId, path, "it is too long"),
        _ => new SandboxIOException(LocalProvider.ProviderId, path, LibC.ErrorText(errno)),
    };

    /// <summary>Owns a raw descriptor for a using block.</summary>
    private readonly struct OwnedFd(int fd) : IDisposable
    {
        public int Value { get; } = fd;

        public void Dispose() => LibC.Close(Value);
    }
}
