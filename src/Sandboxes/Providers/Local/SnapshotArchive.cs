using System.Formats.Tar;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// A workspace as a tar archive, written and read through descriptors: a sandbox's workspace is whatever the sandbox
/// made it, so nothing in it is reached by a path that could follow a link it planted, while the archive is written
/// or while it is restored. Links are kept as links (they resolve inside the sandbox that has them); FIFOs, sockets
/// and devices are left out; owners are kept when they are users of the restoring sandbox, else become its root.
/// </summary>
internal static class SnapshotArchive
{
    private const ulong Resolve = ConfinedDirectory.Resolve;

    /// <summary>Writes the workspace at <paramref name="workspace"/> to the archive <paramref name="tar"/>.</summary>
    public static async Task CreateAsync(string workspace, string tar, CancellationToken cancellationToken)
    {
        var rootFd = LibC.Open(workspace, LibC.O_RDONLY | LibC.O_DIRECTORY);
        if (rootFd < 0)
        {
            throw new SandboxIOException(LocalProvider.ProviderId, "/workspace", LibC.ErrorText(LibC.LastError));
        }

        var output = File.Create(tar);
        await using (output.ConfigureAwait(false))
        {
            var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                var pending = new Stack<(int Fd, string Prefix)>();
                pending.Push((rootFd, string.Empty));
                try
                {
                    while (pending.TryPop(out var dir))
                    {
                        try
                        {
                            foreach (var name in ConfinedDirectory.Names(dir.Fd))
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                                if (await WriteEntryAsync(writer, dir.Fd, dir.Prefix, name, cancellationToken).ConfigureAwait(false) is { } child)
                                {
                                    pending.Push((child, dir.Prefix + name + "/"));
                                }
                            }
                        }
                        finally
                        {
                            LibC.Close(dir.Fd);
                        }
                    }
                }
                finally
                {
                    while (pending.TryPop(out var left))
                    {
                        LibC.Close(left.Fd);
                    }
                }
            }
        }
    }

    /// <summary>Restores the archive <paramref name="tar"/> into the empty workspace <paramref name="workspace"/>, owned as <paramref name="identity"/> says.</summary>
    public static async Task ExtractAsync(string tar, string workspace, IdentityMap identity, CancellationToken cancellationToken)
    {
        using var root = ConfinedDirectory.Open(LocalProvider.ProviderId, workspace);
        var input = File.OpenRead(tar);
        await using (input.ConfigureAwait(false))
        {
            // Through the guard: a metadata header claiming gigabytes is refused before the tar reader allocates them.
            var reader = new TarReader(new TarMetadataGuard(input));
            await using (reader.ConfigureAwait(false))
            {
                try
                {
                    while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        if (Relative(entry.Name) is not { } relative)
                        {
                            continue; // an absolute name or one climbing out: not from a workspace
                        }

                        var owner = identity.Mapped ? (InRange(entry.Uid, identity), InRange(entry.Gid, identity)) : ((int Uid, int Gid)?)null;
                        await RestoreAsync(root, relative, entry, owner, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException)
                {
                    // What the tar reader throws on a damaged or cut archive (a header, a checksum, a field out of range).
                    throw new SandboxIOException(LocalProvider.ProviderId, "/workspace", $"the snapshot archive is damaged ({e.Message})", e);
                }
            }
        }
    }

    // Adds one entry of the directory open as dirFd; returns a descriptor of it when it is a directory to descend into.
    private static async Task<int?> WriteEntryAsync(TarWriter writer, int dirFd, string prefix, string name, CancellationToken cancellationToken)
    {
        if (LibC.Statx(dirFd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
        {
            return null; // gone meanwhile
        }

        var type = st.Mode & LibC.S_IFMT;
        var entryType = type switch
        {
            LibC.S_IFDIR => TarEntryType.Directory,
            LibC.S_IFREG => TarEntryType.RegularFile,
            LibC.S_IFLNK => TarEntryType.SymbolicLink,
            _ => (TarEntryType?)null,
        };
        if (entryType is not { } kind)
        {
            return null;
        }

        var entry = new PaxTarEntry(kind, prefix + name + (kind == TarEntryType.Directory ? "/" : string.Empty))
        {
            Mode = (UnixFileMode)(st.Mode & 0xFFF),
            Uid = (int)st.Uid,
            Gid = (int)st.Gid,
            ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds),
        };
        switch (kind)
        {
            case TarEntryType.SymbolicLink:
                entry.LinkName = ReadLink(dirFd, name) ?? string.Empty;
                await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                return null;
            case TarEntryType.Directory:
                var child = LibC.OpenAt2(dirFd, name, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, Resolve);
                if (child < 0)
                {
                    return null;
                }

                await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                return child;
            default:
                var fd = LibC.OpenAt2(dirFd, name, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK, 0, Resolve);
                if (fd < 0)
                {
                    return null;
                }

                using (var handle = new SafeFileHandle(fd, ownsHandle: true))
                {
                    // Checked on the descriptor: what was opened is what is archived, whatever the name points at now.
                    if (LibC.FStat(fd, out var opened) != 0 || (opened.Mode & LibC.S_IFMT) != LibC.S_IFREG)
                    {
                        return null;
                    }

                    LibC.SetBlocking(fd);
                    var data = new FileStream(handle, FileAccess.Read, bufferSize: 0);
                    await using (data.ConfigureAwait(false))
                    {
                        entry.DataStream = data;
                        await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                    }
                }

                return null;
        }
    }

    private static async Task RestoreAsync(ConfinedDirectory root, string relative, TarEntry entry, (int Uid, int Gid)? owner, CancellationToken cancellationToken)
    {
        var slash = relative.LastIndexOf('/');
        var parentPath = slash < 0 ? "." : relative[..slash];
        var name = slash < 0 ? relative : relative[(slash + 1)..];
        // The parent is reached without following links: an archive whose "a" is a link cannot put "a/x" through it.
        var parent = LibC.OpenAt2(root.Fd, parentPath, LibC.O_PATH | LibC.O_DIRECTORY, 0, Resolve);
        if (parent < 0)
        {
            return;
        }

        try
        {
            var mode = (int)entry.Mode & 0xFFF;
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (LibC.MkDirAt(parent, name, 0x1C0) != 0 && LibC.LastError != LibC.EEXIST)
                    {
                        return;
                    }

                    Finish(LibC.OpenAt2(parent, name, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, Resolve), mode, owner);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    var fd = LibC.OpenAt2(parent, name, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW, 0x180, Resolve);
                    if (fd < 0)
                    {
                        return;
                    }

                    using (var handle = new SafeFileHandle(fd, ownsHandle: true))
                    {
                        Finish(fd, mode, owner, close: false);
                        if (entry.DataStream is { } data)
                        {
                            var output = new FileStream(handle, FileAccess.Write, bufferSize: 0);
                            await using (output.ConfigureAwait(false))
                            {
                                await data.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }

                    SetTime(parent, name, entry.ModificationTime);
                    break;
                case TarEntryType.SymbolicLink:
                    if (LibC.SymLinkAt(entry.LinkName, parent, name) == 0 && owner is { } o)
                    {
                        LibC.FChownAt(parent, name, o.Uid, o.Gid, LibC.AT_SYMLINK_NOFOLLOW);
                    }

                    break;
            }
        }
        finally
        {
            LibC.Close(parent);
        }
    }

    private static void Finish(int fd, int mode, (int Uid, int Gid)? owner, bool close = true)
    {
        if (fd < 0)
        {
            return;
        }

        LibC.FChmod(fd, mode);
        if (owner is { } o)
        {
            LibC.FChown(fd, o.Uid, o.Gid);
        }

        if (close)
        {
            LibC.Close(fd);
        }
    }

    // The file's modification time as archived (its access time too); the name is in a parent reached safely, and a
    // link in its place would not be followed.
    private static unsafe void SetTime(int parentFd, string name, DateTimeOffset modified)
    {
        var times = stackalloc long[4];
        times[0] = times[2] = modified.ToUnixTimeSeconds();
        times[1] = times[3] = 0;
        LibC.UtimensAt(parentFd, name, times, LibC.AT_SYMLINK_NOFOLLOW);
    }

    // The entry's name relative to the workspace, or null when it is absolute or climbs out.
    private static string? Relative(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        return name.StartsWith('/') || parts.Length == 0 || parts.Contains("..") || parts.Any(p => p.Contains('\0', StringComparison.Ordinal))
            ? null
            : string.Join('/', parts);
    }

    private static unsafe string? ReadLink(int dirFd, string name)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            var n = (int)LibC.ReadLinkAt(dirFd, name, p, (nuint)buffer.Length);
            return n < 0 ? null : Encoding.UTF8.GetString(buffer, 0, n);
        }
    }

    private static int InRange(int hostId, IdentityMap identity) =>
        (long)(uint)hostId - (uint)identity.HostBase is >= 0 and < IdentityMap.Size ? hostId : identity.HostBase;
}
