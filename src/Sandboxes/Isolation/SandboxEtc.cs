namespace Sandboxes.Isolation;

/// <summary>
/// The /etc a namespace sandbox sees: the host's files that programs need to run (dynamic linker cache, certificates,
/// time zone, name-service switch), read-only, and the sandbox's own identity files (users, hostname, hosts, resolver)
/// written for it, so nothing of the host's accounts leaks in.
/// </summary>
internal static class SandboxEtc
{
    /// <summary>Host files and directories bound read-only when present.</summary>
    public static readonly string[] HostEntries =
    [
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "localtime", "timezone", "os-release",
        "debian_version", "lsb-release", "alternatives", "ssl", "ca-certificates", "ca-certificates.conf", "pki",
        "mime.types", "protocols", "services", "gai.conf", "profile", "profile.d", "bash.bashrc", "inputrc", "terminfo",
        "shells", "login.defs", "environment", "magic", "magic.mime", "python3", "python3.11", "python3.12", "perl",
        "fonts", "locale.alias", "locale.gen", "default", "java-17-openjdk", "subversion", "gitconfig", "wgetrc",
        "npmrc", "pip.conf", "vim", "ImageMagick-6", "matplotlibrc",
    ];

    /// <summary>Users every sandbox has: root, an unprivileged <c>user</c> (1000), and nobody.</summary>
    public const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        user:x:1000:1000:user:/home/user:/bin/sh
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

        """;

    /// <summary>Groups matching <see cref="Passwd"/>.</summary>
    public const string Group = """
        root:x:0:
        user:x:1000:
        nogroup:x:65534:

        """;

    /// <summary>Writes the sandbox's own /etc files into <paramref name="etcDir"/>.</summary>
    public static void Write(string etcDir, string hostname, NetworkPolicy network)
    {
        Directory.CreateDirectory(etcDir);
        File.WriteAllText(Path.Combine(etcDir, "passwd"), Passwd.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(etcDir, "group"), Group.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(etcDir, "hostname"), hostname + "\n");
        File.WriteAllText(Path.Combine(etcDir, "hosts"), $"127.0.0.1\tlocalhost {hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        var resolver = network switch
        {
            NetworkPolicy.All => TryRead("/etc/resolv.conf"),
            NetworkPolicy.Internet => "nameserver 10.0.2.3\n", // slirp4netns's built-in DNS forwarder
            _ => string.Empty,
        };
        File.WriteAllText(Path.Combine(etcDir, "resolv.conf"), resolver);
    }

    /// <summary>Resolves a user name or numeric id (<c>1000</c> or <c>1000:1000</c>) against a sandbox's passwd file.</summary>
    public static (int Uid, int Gid)? ResolveUser(string user, string passwdFile)
    {
        var parts = user.Split(':');
        if (parts.Length <= 2 && int.TryParse(parts[0], out var uid) && uid >= 0)
        {
            var gid = parts.Length == 2 && int.TryParse(parts[1], out var g) && g >= 0 ? g : uid;
            return (uid, gid);
        }

        foreach (var line in TryRead(passwdFile).Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == user && int.TryParse(fields[2], out var u) && int.TryParse(fields[3], out var gg))
            {
                return (u, gg);
            }
        }

        return null;
    }

    /// <summary>The user name for a uid, from a sandbox's passwd file (the number when unknown).</summary>
    public static string UserName(int uid, string passwdFile)
    {
        foreach (var line in TryRead(passwdFile).Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && int.TryParse(fields[2], out var u) && u == uid)
            {
                return fields[0];
            }
        }

        return uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
