namespace Sandboxes.Isolation;

/// <summary>
/// The one list of capabilities a jail's root keeps, and the forms bubblewrap and setpriv take it in. Everything else
/// is gone from every set, the bounding set included, so nothing in the jail can gain it back (not through a file
/// capability, not through a setuid program: no-new-privileges is set too).
/// </summary>
/// <remarks>
/// Enough to own files and switch users inside the jail (package managers, <c>su</c>-like steps, servers on low ports),
/// not enough to mount, load modules, trace other users' processes, change the network or the clock. With a user
/// namespace these act only on the jail's own ids and namespaces; a client that is not root keeps none of them.
/// </remarks>
internal static class JailCapabilities
{
    /// <summary>The capabilities kept by the jail's root, by their kernel names.</summary>
    public static readonly string[] Kept =
        ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"];

    /// <summary>
    /// The capabilities bubblewrap hands to the jail's first program: <paramref name="keep"/> ones (or none) plus
    /// CAP_SETPCAP, which that program (setpriv) needs to empty the bounding set and then gives up.
    /// </summary>
    public static IEnumerable<string> BubblewrapArguments(bool keep)
    {
        yield return "--cap-drop";
        yield return "ALL";
        foreach (var capability in (keep ? Kept : []).Append("CAP_SETPCAP"))
        {
            yield return "--cap-add";
            yield return capability;
        }
    }

    /// <summary>setpriv's options that leave exactly the kept capabilities (or none) in the bounding set and no inheritable or ambient ones.</summary>
    public static IEnumerable<string> SetprivArguments(bool keep)
    {
        var bounding = "-all" + string.Concat((keep ? Kept : []).Select(c => ",+" + c["CAP_".Length..].ToLowerInvariant()));
        return ["--bounding-set=" + bounding, "--inh-caps=-all", "--ambient-caps=-all"];
    }
}
