using System.Globalization;

namespace Sandboxes.Remote;

/// <summary>A container's <c>/etc/passwd</c>, read through a file read: user names to ids and back.</summary>
internal sealed class PasswdFile
{
    private readonly Dictionary<string, (int Uid, int Gid)> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _byUid = [];

    public PasswdFile(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0].Length > 0
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                _byName.TryAdd(fields[0], (uid, gid));
                _byUid.TryAdd(uid, fields[0]);
            }
        }
    }

    /// <summary>The ids of a user name, if the file has it.</summary>
    public (int Uid, int Gid)? Find(string name) => _byName.TryGetValue(name, out var ids) ? ids : null;

    /// <summary>The name of a uid, or the uid itself when the file has no entry for it.</summary>
    public string NameOf(int uid) => _byUid.TryGetValue(uid, out var name) ? name : uid.ToString(CultureInfo.InvariantCulture);

    /// <summary>True for a numeric user (<c>1000</c> or <c>1000:1000</c>), which needs no entry in the file.</summary>
    public static bool IsNumeric(string user) =>
        user.Split(':') is { Length: 1 or 2 } parts && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit));
}
