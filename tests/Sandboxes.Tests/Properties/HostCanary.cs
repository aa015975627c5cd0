using System.Text;
using NUnit.Framework;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// A host directory no sandbox may reach: a file with unique content, a subdirectory with another, all names unique.
/// After hostile calls, nothing in it was read (its content never shows in what a call returned), listed (its entry
/// no input names never shows in a listing), written, created or removed (the tree is exactly as it was made).
/// </summary>
public sealed class HostCanary : IDisposable
{
    private readonly string _snapshot;

    /// <summary>Makes the canary under the test run's state directory.</summary>
    public HostCanary()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        Marker = "HOST-CANARY-" + tag;
        Directory = System.IO.Path.Combine(TestEnvironment.StateDir, "host-canary-" + tag);
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory, "sub-" + tag));
        File = System.IO.Path.Combine(Directory, "canary-" + tag);
        System.IO.File.WriteAllText(File, Marker + "\n");
        System.IO.File.WriteAllText(System.IO.Path.Combine(Directory, "sub-" + tag, "inner-" + tag), Marker + "-inner\n");
        EntryNames = ["canary-" + tag, "sub-" + tag, "inner-" + tag];
        // A name no generator is ever given: a sandbox cannot make an entry of that name, so seeing it in a listing means
        // the host directory itself was listed (the other names may be made inside a sandbox by a hostile path).
        UnspokenName = "unspoken-" + Guid.NewGuid().ToString("N")[..12];
        System.IO.File.WriteAllText(System.IO.Path.Combine(Directory, UnspokenName), Marker + "-unspoken\n");
        _snapshot = Describe();
    }

    /// <summary>The canary directory (an absolute host path).</summary>
    public string Directory { get; }

    /// <summary>The canary file (an absolute host path).</summary>
    public string File { get; }

    /// <summary>The text every file of the canary holds; it appears nowhere else.</summary>
    public string Marker { get; }

    /// <summary>The names of the canary's entries that hostile paths may name.</summary>
    public IReadOnlyList<string> EntryNames { get; }

    /// <summary>The name of an entry of the canary that no input ever names.</summary>
    public string UnspokenName { get; }

    /// <summary>The host paths a hostile path may name: the canary's own, its parent, and this process's root view of it.</summary>
    public IReadOnlyList<string> HostPaths =>
    [
        File, Directory, Directory + "/sub-" + EntryNames[0][7..], TestEnvironment.StateDir, $"/proc/{Environment.ProcessId}/root{File}",
        $"/proc/{Environment.ProcessId}/cwd", "/proc/self/root" + File,
    ];

    /// <summary>
    /// True when <paramref name="text"/> holds the canary's content. Its names are not looked for here: a hostile path
    /// names them, and an error message may repeat the path it was given.
    /// </summary>
    public bool LeaksInto(string? text) => text is not null && text.Contains(Marker, StringComparison.Ordinal);

    /// <summary>True when a listing shows the canary's directory (the entry no input names is in it).</summary>
    public bool ListedIn(IEnumerable<FileEntry> entries) => entries.Any(e => e.Name == UnspokenName);

    /// <summary>True when <paramref name="bytes"/> hold the canary's content.</summary>
    public bool LeaksInto(byte[]? bytes) =>
        bytes is not null && bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)) >= 0;

    /// <summary>Fails the test when anything in the canary changed, was added or was removed.</summary>
    public void AssertUntouched(string after) => Assert.That(Describe(), Is.EqualTo(_snapshot), $"the host canary changed after {after}");

    /// <summary>True when the canary is exactly as it was made.</summary>
    public bool IsUntouched => Describe() == _snapshot;

    /// <inheritdoc />
    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    // Every entry with its type, size, mode, owner, modification time and (for files) content.
    private string Describe()
    {
        var description = new StringBuilder();
        var root = new DirectoryInfo(Directory);
        description.Append(root.Exists ? $"{root.UnixFileMode} {root.LastWriteTimeUtc:O}\n" : "missing\n");
        if (!root.Exists)
        {
            return description.ToString();
        }

        foreach (var entry in root.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            description.Append(System.IO.Path.GetRelativePath(Directory, entry.FullName)).Append(' ').Append(entry.Attributes)
                .Append(' ').Append(entry.UnixFileMode).Append(' ').Append(entry.LastWriteTimeUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
                .Append(' ').Append(entry.LinkTarget ?? string.Empty);
            if (entry is FileInfo file && entry.LinkTarget is null)
            {
                description.Append(' ').Append(System.IO.File.ReadAllText(file.FullName));
            }

            description.Append('\n');
        }

        return description.ToString();
    }
}
