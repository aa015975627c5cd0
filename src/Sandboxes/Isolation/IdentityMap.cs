using System.Globalization;

namespace Sandboxes.Isolation;

/// <summary>
/// Which host user a jail's users are. A client running as root gives its jails a user namespace whose 65,536 ids map
/// to an unprivileged host range starting at <see cref="HostBase"/>: the jail's root is host uid <c>HostBase</c>, its
/// user 1000 is <c>HostBase + 1000</c>, and nothing in the jail is ever host root. A client running as another user
/// can map only itself (what unprivileged bubblewrap does), so its jails are that user.
/// </summary>
internal sealed record IdentityMap
{
    /// <summary>The number of ids a mapped jail has (0 to 65535, like a container's).</summary>
    public const int Size = 65536;

    /// <summary>The first host id of the range when none is configured: above the ranges systemd hands to containers
    /// (524288 to 1879048191) and to foreign images, and far from any login user.</summary>
    public const int DefaultHostBase = 2_000_000_000;

    private IdentityMap(bool mapped, int hostBase, int hostUid, int hostGid)
    {
        Mapped = mapped;
        HostBase = hostBase;
        HostUid = hostUid;
        HostGid = hostGid;
    }

    /// <summary>True when the jail has a range of its own (the client is root).</summary>
    public bool Mapped { get; }

    /// <summary>The host id of the jail's root when <see cref="Mapped"/>.</summary>
    public int HostBase { get; }

    /// <summary>The host uid of the jail's root: <see cref="HostBase"/>, or the client's own uid.</summary>
    public int HostUid { get; }

    /// <summary>The host gid of the jail's root group: <see cref="HostBase"/>, or the client's own gid.</summary>
    public int HostGid { get; }

    /// <summary>The line written to <c>/proc/PID/uid_map</c> and <c>gid_map</c> of a mapped jail.</summary>
    public string MapLine => string.Create(CultureInfo.InvariantCulture, $"0 {HostBase} {Size}\n");

    /// <summary>The map for this process: a range at <paramref name="configuredBase"/> when running as root, else the client itself.</summary>
    /// <exception cref="BadConfigException">The configured range is not an unprivileged one.</exception>
    public static IdentityMap ForThisProcess(string provider, long? configuredBase)
    {
        if (LibC.GetEuid() != 0)
        {
            return new IdentityMap(false, 0, LibC.GetEuid(), LibC.GetEgid());
        }

        var hostBase = configuredBase ?? DefaultHostBase;
        if (hostBase < Size || hostBase > int.MaxValue - Size)
        {
            throw new BadConfigException(provider,
                $"Config key 'uid_base' must be between {Size} and {int.MaxValue - Size}: the jail's ids map to the host ids from it, " +
                "and host ids below 65536 belong to the host's own users.");
        }

        return new IdentityMap(true, (int)hostBase, (int)hostBase, (int)hostBase);
    }

    /// <summary>The map a jail was made with: mapped at <paramref name="hostBase"/>, or (null) the client's own user.</summary>
    public static IdentityMap FromBase(int? hostBase) =>
        hostBase is { } b ? new IdentityMap(true, b, b, b) : new IdentityMap(false, 0, LibC.GetEuid(), LibC.GetEgid());

    /// <summary>The host ids of the jail's root: who owns what the host makes for it (null when not mapped: this process's own ids are right).</summary>
    public (int Uid, int Gid)? RootOwner => Mapped ? (HostBase, HostBase) : null;

    /// <summary>The host ids of a jail user (the client's own ids when not mapped: it has only that one).</summary>
    public (int Uid, int Gid) ToHost(int uid, int gid) =>
        Mapped && uid is >= 0 and < Size && gid is >= 0 and < Size ? (HostBase + uid, HostBase + gid) : (HostUid, HostGid);

    /// <summary>The jail uid of a host uid, as the jail's own <c>id</c> shows it (65534, nobody, when outside the range).</summary>
    public int ToSandbox(int hostUid)
    {
        if (!Mapped)
        {
            return hostUid;
        }

        var offset = (long)(uint)hostUid - (uint)HostBase;
        return offset is >= 0 and < Size ? (int)offset : 65534;
    }
}
