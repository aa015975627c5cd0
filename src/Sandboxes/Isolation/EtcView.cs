using System.Security.Cryptography;
using System.Text;

namespace Sandboxes.Isolation;

/// <summary>
/// One read-only /etc shared by every sandbox: copies of the host files programs need (<see cref="SandboxEtc.HostEntries"/>)
/// plus the sandbox users, bound with a single mount. Binding each host file on its own costs bubblewrap a mount and a
/// re-read of the mount table apiece, about 10 ms of every create.
/// </summary>
/// <remarks>
/// A view is named by a fingerprint of its sources (paths, sizes, times), so a changed host /etc gives a new view and a
/// view in use by a running sandbox is never rewritten or removed under it.
/// </remarks>
internal static class EtcView
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, string> Built = new(StringComparer.Ordinal);

    /// <summary>Files each sandbox binds over the view with its own content.</summary>
    public static readonly string[] PerSandboxFiles = ["hostname", "hosts", "resolv.conf"];

    /// <summary>Returns the directory of the current view under <paramref name="stateRoot"/>, building it when needed.</summary>
    public static string Ensure(string stateRoot)
    {
        var fingerprint = Fingerprint();
        var dir = Path.Combine(stateRoot, "local", "etc-views", fingerprint);
        lock (Gate)
        {
            // Checked on disk too: the state directory may have been removed since the view was built.
            if (Built.TryGetValue(stateRoot, out var known) && known == dir && Directory.Exists(dir))
            {
                return dir;
            }

            if (!Directory.Exists(dir))
            {
                Build(dir);
            }

            Built[stateRoot] = dir;
            return dir;
        }
    }

    private static void Build(string dir)
    {
        // Built beside its final place and renamed into it, so another process never sees half a view.
        var temp = dir + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        Directory.CreateDirectory(temp);
        foreach (var entry in SandboxEtc.HostEntries)
        {
            Copy("/etc/" + entry, Path.Combine(temp, entry));
        }

        File.WriteAllText(Path.Combine(temp, "passwd"), SandboxEtc.Passwd.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(temp, "group"), SandboxEtc.Group.Replace("\r\n", "\n", StringComparison.Ordinal));
        foreach (var file in PerSandboxFiles)
        {
            File.WriteAllText(Path.Combine(temp, file), string.Empty); // mount points for the per-sandbox files
        }

        LibC.Chmod(temp, 0x1ED);
        try
        {
            Directory.Move(temp, dir);
        }
        catch (IOException) when (Directory.Exists(dir))
        {
            // Another process built the same view first.
            Directory.Delete(temp, recursive: true);
        }
    }

    private static void Copy(string source, string target)
    {
        var info = new FileInfo(source);
        if (info.LinkTarget is { } link)
        {
            // Links are kept as links: inside the sandbox they resolve against its own root (/usr is there).
            File.CreateSymbolicLink(target, link);
            return;
        }

        // Only what every host user may read: a file kept private on the host (a TLS key, a shadow file) stays out.
        if (LibC.Statx(-100, source, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0 || (st.Mode & 0x4) == 0)
        {
            return;
        }

        if (Directory.Exists(source))
        {
            if ((st.Mode & 0x1) == 0)
            {
                return;
            }

            Directory.CreateDirectory(target);
            foreach (var child in Directory.EnumerateFileSystemEntries(source))
            {
                Copy(child, Path.Combine(target, Path.GetFileName(child)));
            }

            return;
        }

        if (info.Exists)
        {
            try
            {
                File.Copy(source, target);
            }
            catch (UnauthorizedAccessException)
            {
                // Unreadable to this user: not for sandboxes either.
            }
            catch (IOException)
            {
                // Gone, or not a file that can be copied (a socket): not for sandboxes either.
            }
        }
    }

    private static string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var entry in SandboxEtc.HostEntries)
        {
            var path = "/etc/" + entry;
            var info = new FileInfo(path);
            if (info.Exists || info.LinkTarget is not null || Directory.Exists(path))
            {
                var stamp = Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : info.LastWriteTimeUtc;
                text.Append(entry).Append(':').Append(info.LinkTarget).Append(':').Append(info.Exists ? info.Length : 0).Append(':').Append(stamp.Ticks).Append('\n');
            }
        }

        // The layout version: a view built by an older rule (which copied files private on the host) is not reused.
        text.Append("view-2\n").Append(SandboxEtc.Passwd).Append(SandboxEtc.Group);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
    }
}
