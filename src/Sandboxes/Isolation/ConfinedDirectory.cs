using System.Runtime.InteropServices;
using System.Text;

namespace Sandboxes.Isolation;

/// <summary>
/// A host directory whose contents a jail can write (a run directory, a workspace), used by the host only through a
/// descriptor: every name below it is resolved with <c>openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
/// RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)</c>, so a link planted anywhere on the way fails the call instead of being
/// followed, <c>..</c> cannot leave it and no mount inside it is crossed; every descriptor is checked to be the kind
/// of file expected (a FIFO, a regular file, a directory) before it is used, opens never block, and reads are bounded.
/// </summary>
internal sealed class ConfinedDirectory : IDisposable
{
    /// <summary>The resolution every lookup below the directory uses.</summary>
    public const ulong Resolve = LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS | LibC.RESOLVE_NO_XDEV;

    // Deeper than this, removal moves a subtree up before going on, so neither the stack nor the descriptors grow with
    // a tree a jail made as deep as it liked.
    private const int MaxRemovalDepth = 64;

    private readonly string _provider;
    private int _fd;

    private ConfinedDirectory(string provider, string path, int fd)
    {
        _provider = provider;
        Path = path;
        _fd = fd;
    }

    /// <summary>The host path it was opened at (for messages; never used to reach anything).</summary>
    public string Path { get; }

    /// <summary>The descriptor (O_PATH) of the directory.</summary>
    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(ConfinedDirectory));

    /// <summary>
    /// Opens the directory at <paramref name="hostPath"/>, a path only the host controls (links in it are followed:
    /// they are the host's own), or returns null when it does not exist.
    /// </summary>
    public static ConfinedDirectory? TryOpen(string provider, string hostPath)
    {
        var fd = LibC.Open(hostPath, LibC.O_PATH | LibC.O_DIRECTORY);
        return fd < 0 ? null : new ConfinedDirectory(provider, hostPath, fd);
    }

    /// <summary>Takes ownership of <paramref name="fd"/>, a directory descriptor already opened safely.</summary>
    public static ConfinedDirectory FromDescriptor(string provider, string path, int fd) => new(provider, path, fd);

    /// <summary>Opens the directory at <paramref name="hostPath"/>, which must exist.</summary>
    public static ConfinedDirectory Open(string provider, string hostPath) =>
        TryOpen(provider, hostPath) ?? throw new SandboxIOException(provider, hostPath, LibC.ErrorText(LibC.LastError));

    /// <summary>
    /// Opens <paramref name="relative"/> with <paramref name="flags"/> (O_NONBLOCK and O_NOFOLLOW are added) and
    /// returns the descriptor when it is of <paramref name="type"/> (an S_IF* constant), else -1 with
    /// <see cref="LibC.LastError"/> set (ENXIO for a FIFO with no reader, EINVAL for a file of another kind).
    /// </summary>
    public int OpenAs(string relative, int flags, int type, int mode = 0)
    {
        var fd = LibC.OpenAt2(Fd, relative, flags | LibC.O_NONBLOCK | LibC.O_NOFOLLOW | LibC.O_NOCTTY, mode, Resolve);
        if (fd < 0)
        {
            return -1;
        }

        if (LibC.FStat(fd, out var st) != 0 || (st.Mode & LibC.S_IFMT) != type)
        {
            LibC.Close(fd);
            Marshal.SetLastPInvokeError(LibC.EINVAL);
            return -1;
        }

        return fd;
    }

    /// <summary>Reads a small regular file whole: null when it is missing, not a regular file or longer than <paramref name="maxBytes"/>.</summary>
    public unsafe string? ReadSmallText(string relative, int maxBytes = 256)
    {
        var fd = OpenAs(relative, LibC.O_RDONLY, LibC.S_IFREG);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            if (LibC.FStat(fd, out var st) != 0 || st.Size > (ulong)maxBytes)
            {
                return null;
            }

            // One more byte than allowed is asked for, so a file that grew since the size was read is noticed.
            var buffer = new byte[(int)st.Size + 1];
            var total = 0;
            fixed (byte* p = buffer)
            {
                while (total < buffer.Length)
                {
                    var n = (int)LibC.Read(fd, p + total, (nuint)(buffer.Length - total));
                    if (n < 0 && LibC.LastError == LibC.EINTR)
                    {
                        continue;
                    }

                    if (n <= 0)
                    {
                        break;
                    }

                    total += n;
                }
            }

            return total > maxBytes ? null : Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Reads a regular file from <paramref name="offset"/> into <paramref name="buffer"/>: 0 at its end, or when it is missing or not a regular file.</summary>
    public unsafe int ReadAt(string relative, long offset, Span<byte> buffer)
    {
        var fd = OpenAs(relative, LibC.O_RDONLY, LibC.S_IFREG);
        if (fd < 0)
        {
            return 0;
        }

        try
        {
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    var n = (int)LibC.PRead(fd, p, (nuint)buffer.Length, offset);
                    if (n >= 0 || LibC.LastError != LibC.EINTR)
                    {
                        return Math.Max(n, 0);
                    }
                }
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Reads a regular file whole (empty when it is missing or not a regular file).</summary>
    public byte[] ReadAll(string relative)
    {
        using var output = new MemoryStream();
        var buffer = new byte[64 * 1024];
        long offset = 0;
        while (ReadAt(relative, offset, buffer) is var n and > 0)
        {
            output.Write(buffer, 0, n);
            offset += n;
        }

        return output.ToArray();
    }

    /// <summary>The status of <paramref name="relative"/> itself (a link is not followed), or null when it does not exist.</summary>
    public LibC.StatxBuffer? Stat(string relative)
    {
        var fd = LibC.OpenAt2(Fd, relative, LibC.O_PATH | LibC.O_NOFOLLOW, 0, Resolve);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return LibC.FStat(fd, out var st) == 0 ? st : null;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>True when <paramref name="relative"/> exists (a planted link on the way counts as missing).</summary>
    public bool Exists(string relative) => Stat(relative) is not null;

    /// <summary>Creates directory <paramref name="relative"/> (its parent must exist) with <paramref name="mode"/> and owner.</summary>
    public void CreateDirectory(string relative, int mode, (int Uid, int Gid)? owner = null) =>
        Create(relative, mode, owner, LibC.S_IFDIR, (parent, name) => LibC.MkDirAt(parent, name, mode));

    /// <summary>Creates FIFO <paramref name="relative"/> with <paramref name="mode"/> and owner.</summary>
    public void CreateFifo(string relative, int mode, (int Uid, int Gid)? owner = null) =>
        Create(relative, mode, owner, LibC.S_IFIFO, (parent, name) => LibC.MkNodAt(parent, name, LibC.S_IFIFO | mode, 0));

    /// <summary>Creates regular file <paramref name="relative"/>, which must not exist yet, with <paramref name="content"/>.</summary>
    public void CreateFile(string relative, ReadOnlySpan<byte> content, int mode, (int Uid, int Gid)? owner = null)
    {
        int fd;
        using (FsCredentials.As(owner))
        {
            fd = OpenAs(relative, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL, LibC.S_IFREG, mode);
        }

        if (fd < 0 && LibC.LastError == LibC.EACCES && owner is not null)
        {
            // A directory the jail user may not write (a host-owned one): made by this process, then given away.
            fd = OpenAs(relative, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL, LibC.S_IFREG, mode);
        }

        Check(fd, relative);
        try
        {
            if (!LibC.TryWriteAll(fd, content))
            {
                throw new SandboxIOException(_provider, Describe(relative), LibC.ErrorText(LibC.LastError));
            }

            SetModeAndOwner(fd, mode, owner, relative);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Sets the owner of <paramref name="relative"/> itself (a link is not followed).</summary>
    public void SetOwner(string relative, (int Uid, int Gid) owner)
    {
        using var parent = OpenParent(relative, out var name);
        Check(LibC.FChownAt(parent.Value, name, owner.Uid, owner.Gid, LibC.AT_SYMLINK_NOFOLLOW), relative);
    }

    /// <summary>The names in directory <paramref name="relative"/> (empty when it is missing or not a directory).</summary>
    public List<string> ListNames(string relative)
    {
        var fd = OpenAs(relative, LibC.O_RDONLY | LibC.O_DIRECTORY, LibC.S_IFDIR);
        if (fd < 0)
        {
            return [];
        }

        try
        {
            return Names(fd);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Removes <paramref name="relative"/> and everything below it, never following a link; true when nothing is left.</summary>
    public bool RemoveTree(string relative)
    {
        using var parent = OpenParentOrNull(relative, out var name);
        return parent is null || RemoveEntry(parent.Value.Value, name) == 0;
    }

    /// <summary>
    /// Removes the host directory <paramref name="path"/> (a path only the host controls) and everything in it, never
    /// following a link a jail may have left there; true when nothing is left. A missing directory counts as removed.
    /// </summary>
    public static bool RemoveHostTree(string provider, string path)
    {
        using var parent = TryOpen(provider, System.IO.Path.GetDirectoryName(path)!);
        var removed = parent is null;
        for (var attempt = 0; !removed && attempt < 3; attempt++)
        {
            // A file being removed by someone else at the same moment can fail a pass; the next one finishes it.
            removed = parent!.RemoveTree(System.IO.Path.GetFileName(path));
            if (!removed)
            {
                Thread.Sleep(10);
            }
        }

        return removed;
    }

    /// <summary>Removes every entry of the directory itself, never following a link; true when nothing is left.</summary>
    public bool Clear()
    {
        var fd = LibC.OpenAt2(Fd, ".", LibC.O_RDONLY | LibC.O_DIRECTORY, 0, Resolve);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return RemoveChildren(fd) == 0;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>
    /// Removes <paramref name="name"/> in the directory open as <paramref name="parentFd"/> and everything below it,
    /// never following a link: 0 when nothing is left, else the first error met (errno).
    /// </summary>
    public static int RemoveEntry(int parentFd, string name)
    {
        if (LibC.UnlinkAt(parentFd, name, 0) == 0 || LibC.LastError == LibC.ENOENT)
        {
            return 0;
        }

        if (LibC.LastError is not (LibC.EISDIR or LibC.EPERM))
        {
            return LibC.LastError;
        }

        var dirFd = LibC.OpenAt2(parentFd, name, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, Resolve);
        if (dirFd < 0)
        {
            return LibC.LastError == LibC.ENOENT ? 0 : LibC.LastError;
        }

        int error;
        try
        {
            error = RemoveChildren(dirFd);
        }
        finally
        {
            LibC.Close(dirFd);
        }

        if (error != 0)
        {
            return error;
        }

        return LibC.UnlinkAt(parentFd, name, LibC.AT_REMOVEDIR) == 0 || LibC.LastError == LibC.ENOENT ? 0 : LibC.LastError;
    }

    /// <summary>Closes the descriptor.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }

    // Empties the directory open as dirFd. Subdirectories are entered with descriptors (a stack, not recursion); below
    // MaxRemovalDepth a subdirectory is first renamed into dirFd itself, which keeps the depth bounded. A subdirectory
    // that cannot be emptied is remembered and not entered again.
    private static int RemoveChildren(int dirFd)
    {
        var firstError = 0;
        var stack = new List<Frame> { new(dirFd, -1, string.Empty) };
        var moved = 0;
        try
        {
            while (stack.Count > 0)
            {
                var frame = stack[^1];
                string? descend = null;
                foreach (var child in Names(frame.Fd))
                {
                    if (frame.Failed.Contains(child))
                    {
                        continue;
                    }

                    if (LibC.UnlinkAt(frame.Fd, child, 0) == 0 || LibC.LastError == LibC.ENOENT)
                    {
                        continue;
                    }

                    if (LibC.LastError is LibC.EISDIR or LibC.EPERM)
                    {
                        descend = child;
                        break;
                    }

                    frame.Failed.Add(child);
                    firstError = firstError == 0 ? LibC.LastError : firstError;
                }

                if (descend is null)
                {
                    stack.RemoveAt(stack.Count - 1);
                    if (frame.ParentFd >= 0)
                    {
                        LibC.Close(frame.Fd);
                        if (LibC.UnlinkAt(frame.ParentFd, frame.Name, LibC.AT_REMOVEDIR) != 0 && LibC.LastError != LibC.ENOENT)
                        {
                            stack[^1].Failed.Add(frame.Name);
                            firstError = firstError == 0 ? LibC.LastError : firstError;
                        }
                    }

                    continue;
                }

                if (stack.Count >= MaxRemovalDepth)
                {
                    // Moved up to the top directory under a fresh name; it is found and emptied from there.
                    var flatName = $".sandboxes-removing-{Environment.ProcessId}-{moved++}";
                    if (LibC.RenameAt(frame.Fd, descend, dirFd, flatName) != 0)
                    {
                        frame.Failed.Add(descend);
                        firstError = firstError == 0 ? LibC.LastError : firstError;
                    }

                    continue;
                }

                var childFd = LibC.OpenAt2(frame.Fd, descend, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, Resolve);
                if (childFd < 0)
                {
                    if (LibC.LastError != LibC.ENOENT)
                    {
                        frame.Failed.Add(descend);
                        firstError = firstError == 0 ? LibC.LastError : firstError;
                    }

                    continue;
                }

                stack.Add(new Frame(childFd, frame.Fd, descend));
            }
        }
        finally
        {
            for (var i = 1; i < stack.Count; i++)
            {
                LibC.Close(stack[i].Fd);
            }
        }

        return firstError;
    }

    private sealed record Frame(int Fd, int ParentFd, string Name)
    {
        public HashSet<string> Failed { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The names in the directory open as <paramref name="dirFd"/>.</summary>
    internal static List<string> Names(int dirFd)
    {
        // Read through the descriptor's /proc link: the directory the descriptor holds, nothing resolved by path below it.
        var prefix = $"/proc/self/fd/{dirFd}";
        try
        {
            return Directory.EnumerateFileSystemEntries(prefix).Select(p => p[(prefix.Length + 1)..]).ToList();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    // Makes an entry under the owner's file-system ids (so it is born theirs, and a jail's own file system accepts it),
    // or as this process where the owner may not write the directory; then sets mode and owner through a descriptor of
    // the entry opened without following links, so what a jail may have swapped in meanwhile is refused, not changed.
    private void Create(string relative, int mode, (int Uid, int Gid)? owner, int type, Func<int, string, int> make)
    {
        using var parent = OpenParent(relative, out var name);
        int result;
        using (FsCredentials.As(owner))
        {
            result = make(parent.Value, name);
        }

        if (result != 0 && LibC.LastError == LibC.EACCES && owner is not null)
        {
            result = make(parent.Value, name);
        }

        Check(result, relative);
        var flags = LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | (type == LibC.S_IFDIR ? LibC.O_DIRECTORY : 0);
        var fd = LibC.OpenAt2(parent.Value, name, flags, 0, Resolve);
        Check(fd, relative);
        try
        {
            if (LibC.FStat(fd, out var st) != 0 || (st.Mode & LibC.S_IFMT) != type)
            {
                throw Error(LibC.EINVAL, relative);
            }

            SetModeAndOwner(fd, mode, owner, relative);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private void SetModeAndOwner(int fd, int mode, (int Uid, int Gid)? owner, string relative)
    {
        // The umask narrowed the mode given at creation.
        LibC.FChmod(fd, mode);
        if (owner is { } o && LibC.GetEuid() == 0)
        {
            Check(LibC.FChown(fd, o.Uid, o.Gid), relative);
        }
    }

    private OwnedFd OpenParent(string relative, out string name) =>
        OpenParentOrNull(relative, out name) ?? throw Error(LibC.LastError, relative);

    private OwnedFd? OpenParentOrNull(string relative, out string name)
    {
        var slash = relative.LastIndexOf('/');
        name = slash < 0 ? relative : relative[(slash + 1)..];
        var parent = slash < 0 ? "." : relative[..slash];
        if (name is "" or "." or "..")
        {
            Marshal.SetLastPInvokeError(LibC.EINVAL);
            return null;
        }

        var fd = LibC.OpenAt2(Fd, parent, LibC.O_PATH | LibC.O_DIRECTORY, 0, Resolve);
        return fd < 0 ? null : new OwnedFd(fd);
    }

    private void Check(int result, string relative)
    {
        if (result < 0)
        {
            throw Error(LibC.LastError, relative);
        }
    }

    private SandboxIOException Error(int errno, string relative) =>
        new(_provider, Describe(relative), errno is LibC.ELOOP or LibC.EXDEV
            ? "a link or mount was found where the sandbox's run files must be (not followed)"
            : LibC.ErrorText(errno));

    private string Describe(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Owns a raw descriptor for a using block.</summary>
    private readonly struct OwnedFd(int fd) : IDisposable
    {
        public int Value { get; } = fd;

        public void Dispose() => LibC.Close(Value);
    }
}
