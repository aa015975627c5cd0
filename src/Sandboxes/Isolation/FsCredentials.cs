namespace Sandboxes.Isolation;

/// <summary>
/// Makes files on the calling thread as one of a jail's users: the thread's file-system ids are switched (setfsuid and
/// setfsgid act on the calling thread only) for the few synchronous calls inside the scope, and switched back when it
/// ends.
/// </summary>
/// <remarks>
/// A jail's own file systems (its <c>/tmp</c>, its home, its run directory) belong to its user namespace, where host
/// root is no user at all: the kernel refuses to create a file there for an id it cannot map (EOVERFLOW). Created
/// under the jail user's ids, a file is born with the right owner, and the permission checks of its directory are the
/// jail user's. While the ids are not 0 the kernel also lifts the file capabilities from the thread, which is what a
/// jail user has. Only a root client maps ids; for any other the scope does nothing.
/// </remarks>
internal static partial class FsCredentials
{
    /// <summary>Switches the calling thread to <paramref name="owner"/> until the scope is disposed (nothing when null or not root).</summary>
    public static Scope As((int Uid, int Gid)? owner) =>
        owner is { } o && LibC.GetEuid() == 0 && o.Uid != 0 ? new Scope(o.Uid, o.Gid) : default;

    /// <summary>The switch; disposing it restores the thread's ids. Must end on the thread that began it, with no await inside.</summary>
    public readonly ref struct Scope
    {
        private readonly bool _active;

        internal Scope(int uid, int gid)
        {
            // The group first: a thread whose uid is no longer 0 may not change its group.
            SetFsGid(gid);
            SetFsUid(uid);
            _active = true;
        }

        public void Dispose()
        {
            if (_active)
            {
                SetFsUid(0);
                SetFsGid(0);
            }
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "setfsuid")]
    private static partial int SetFsUid(int uid);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "setfsgid")]
    private static partial int SetFsGid(int gid);
}
