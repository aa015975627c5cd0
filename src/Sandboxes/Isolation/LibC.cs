using System.Runtime.InteropServices;

namespace Sandboxes.Isolation;

/// <summary>
/// The Linux system calls the jails need and .NET does not expose: FIFOs and poll for the agent protocol, openat2 so
/// that paths a sandbox can write are resolved without following its links, ownership calls for the sandbox's mapped
/// users, setns for port forwarding, and the pseudo-terminal calls.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    public const ulong RESOLVE_NO_XDEV = 0x01;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_NO_SYMLINKS = 0x04;
    public const ulong RESOLVE_BENEATH = 0x08;
    public const ulong RESOLVE_IN_ROOT = 0x10;

    public const int AT_REMOVEDIR = 0x200;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_SETPIPE_SZ = 1031;

    public const int CLONE_NEWNET = 0x40000000;

    public const int EINTR = 4;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EAGAIN = 11;
    public const int EISDIR = 21;
    public const int ENOTDIR = 20;
    public const int ENOTEMPTY = 39;
    public const int EROFS = 30;
    public const int EACCES = 13;
    public const int EPERM = 1;
    public const int ELOOP = 40;
    public const int EXDEV = 18;
    public const int ESRCH = 3;
    public const int ENXIO = 6;
    public const int ENOSPC = 28;
    public const int ENAMETOOLONG = 36;
    public const int EBADF = 9;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;

    private const long SYS_openat2 = 437;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixel;
        public ushort YPixel;
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    /// <summary>openat2(2): returns a descriptor or -1 with errno set.</summary>
    public static int OpenAt2(int dirfd, string path, int flags, int mode, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(flags | O_CLOEXEC), Mode = (ulong)mode, Resolve = resolve };
        var bytes = NullTerminated(path);
        fixed (byte* p = bytes)
        {
            // EAGAIN: with RESOLVE_IN_ROOT the kernel refuses to vouch for a ".." walked while a rename or mount
            // happened anywhere; the documented answer is to try again.
            for (var attempt = 0; ; attempt++)
            {
                var fd = Syscall4(SYS_openat2, dirfd, p, &how, (nuint)sizeof(OpenHow));
                var error = fd >= 0 ? 0 : Marshal.GetLastPInvokeError();
                if (fd >= 0 || (error != EINTR && (error != EAGAIN || attempt >= 1000)))
                {
                    return (int)fd;
                }
            }
        }
    }

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenRaw(string path, int flags, int mode);

    /// <summary>open(2) with O_CLOEXEC, retried on EINTR.</summary>
    public static int Open(string path, int flags, int mode = 0)
    {
        while (true)
        {
            var fd = OpenRaw(path, flags | O_CLOEXEC, mode);
            if (fd >= 0 || Marshal.GetLastPInvokeError() != EINTR)
            {
                return fd;
            }
        }
    }

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Lib, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkFifo(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkDirAt(int dirfd, string path, int mode);

    [LibraryImport(Lib, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkNodAt(int dirfd, string path, int mode, ulong device);

    [LibraryImport(Lib, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadLinkAt(int dirfd, string path, byte* buffer, nuint size);

    [LibraryImport(Lib, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymLinkAt(string target, int dirfd, string path);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int dirfd, string path, long* times, int flags);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    public const int MNT_DETACH = 2;

    [LibraryImport(Lib, EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt(int oldDirfd, string oldPath, int newDirfd, string newPath);

    [LibraryImport(Lib, EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FChownAt(int dirfd, string path, int uid, int gid, int flags);

    [LibraryImport(Lib, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FChmodAt(int dirfd, string path, int mode, int flags);

    [LibraryImport(Lib, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirfd, string path, int flags);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, int mode);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    [LibraryImport(Lib, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, int uid, int gid);

    [LibraryImport(Lib, EntryPoint = "fchown", SetLastError = true)]
    public static partial int FChown(int fd, int uid, int gid);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial int GetEuid();

    [LibraryImport(Lib, EntryPoint = "getegid")]
    public static partial int GetEgid();

    /// <summary>statx(2) of an open descriptor.</summary>
    public static int FStat(int fd, out StatxBuffer result) => Statx(fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, out result);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, WinSize* size);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, int* value);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenPt(int flags);

    [LibraryImport(Lib, EntryPoint = "grantpt", SetLastError = true)]
    public static partial int GrantPt(int fd);

    [LibraryImport(Lib, EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int UnlockPt(int fd);

    [LibraryImport(Lib, EntryPoint = "ptsname_r", SetLastError = true)]
    public static partial int PtsNameR(int fd, byte* buffer, nuint length);

    public const nuint TIOCSWINSZ = 0x5414;
    public const nuint TIOCGWINSZ = 0x5413;

    /// <summary>The number N of a pseudo-terminal master's slave, <c>/dev/pts/N</c> in the devpts instance it came from.</summary>
    public const nuint TIOCGPTN = 0x80045430;

    /// <summary>Locks or unlocks a master's slave (unlockpt).</summary>
    public const nuint TIOCSPTLCK = 0x40045431;

    /// <summary>Opens a master's slave by the master itself, with no path to resolve.</summary>
    public const nuint TIOCGPTPEER = 0x5441;

    /// <summary>statx(2) into <paramref name="result"/>.</summary>
    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer result);

    public const uint STATX_BASIC_STATS = 0x7ff;

    /// <summary>The leading part of struct statx the provider reads (the kernel's layout, 256 bytes in all).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(4)] public uint BlockSize;
        [FieldOffset(8)] public ulong Attributes;
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSeconds;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
    }

    public const int S_IFMT = 0xF000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFREG = 0x8000;
    public const int S_IFIFO = 0x1000;
    public const int S_IFCHR = 0x2000;

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>
    /// Writes every byte to <paramref name="fd"/>, retrying interrupted and would-block writes; false (errno in
    /// <see cref="LastError"/>) when the descriptor is closed or broken.
    /// </summary>
    public static bool TryWriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = (int)Write(fd, p + written, (nuint)(data.Length - written));
                if (n < 0)
                {
                    if (LastError is EINTR or EAGAIN)
                    {
                        continue;
                    }

                    return false;
                }

                written += n;
            }
        }

        return true;
    }

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Clears O_NONBLOCK so that reads block (used once a FIFO's writer is known to be connected).</summary>
    public static void SetBlocking(int fd)
    {
        var flags = Fcntl(fd, F_GETFL, 0);
        if (flags >= 0)
        {
            Fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        }
    }

    private static byte[] NullTerminated(string text)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
