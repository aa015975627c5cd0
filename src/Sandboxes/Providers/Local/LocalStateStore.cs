using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sandboxes.Isolation;

namespace Sandboxes.Providers.Local;

/// <summary>
/// The on-disk state of local sandboxes and snapshots. Every sandbox is a directory named by its id, so any process of
/// the user can attach to it, list it or destroy it; files are replaced atomically so a reader never sees half a record.
/// </summary>
internal sealed partial class LocalStateStore
{
    public LocalStateStore(string root)
    {
        Root = root;
        SandboxesDir = Path.Combine(root, "local", "sandboxes");
        SnapshotsDir = Path.Combine(root, "local", "snapshots");
    }

    public string Root { get; }

    public string SandboxesDir { get; }

    public string SnapshotsDir { get; }

    public static string NewSandboxId() => "sbx-" + RandomToken(10);

    public static string NewSnapshotId() => "snap-" + RandomToken(10);

    public static string NewJobId() => "j" + RandomToken(12);

    /// <summary>Ids become directory names: anything but lower-case letters, digits and dashes is refused.</summary>
    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    public SandboxPaths PathsFor(string id)
    {
        if (!IsValidId(id))
        {
            throw new NotFoundException(LocalProvider.ProviderId, $"No local sandbox has the id '{id}'.");
        }

        return new SandboxPaths(Path.Combine(SandboxesDir, id));
    }

    public LocalSandboxRecord? TryRead(string id)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        return TryReadFile(PathsFor(id).RecordFile);
    }

    private static LocalSandboxRecord? TryReadFile(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize(stream, LocalJsonContext.Default.LocalSandboxRecord);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // A record cut short by a crash mid-create: the sandbox is listed as failed and can be destroyed.
            return null;
        }
    }

    /// <summary>
    /// Makes a sandbox's directory with its record already in it: built under a name that is never listed as a
    /// sandbox (<c>.creating-ID</c>) and renamed into place, so a sandbox directory always has a record, and a creator
    /// killed half-way leaves a record that names it.
    /// </summary>
    public void CreateSandboxDirectory(LocalSandboxRecord record, Action<string> prepare)
    {
        var staging = Path.Combine(SandboxesDir, CreatingPrefix + record.Id);
        Directory.CreateDirectory(staging);
        prepare(staging);
        WriteAtomically(Path.Combine(staging, "sandbox.json"), JsonSerializer.SerializeToUtf8Bytes(record, LocalJsonContext.Default.LocalSandboxRecord));
        Directory.Move(staging, PathsFor(record.Id).Dir);
    }

    /// <summary>Directories of creates whose process ended before the directory was renamed into place.</summary>
    public IEnumerable<string> AbandonedCreations()
    {
        if (!Directory.Exists(SandboxesDir))
        {
            yield break;
        }

        foreach (var dir in Directory.EnumerateDirectories(SandboxesDir, CreatingPrefix + "*"))
        {
            var record = TryReadFile(Path.Combine(dir, "sandbox.json"));
            // No record yet: the creator died between making the directory and writing it, or is doing that now.
            var abandoned = record is null
                ? DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) > TimeSpan.FromMinutes(1)
                : Internal.CreatorProcess.HasEnded(record.Creator) == true;
            if (abandoned)
            {
                yield return dir;
            }
        }
    }

    private const string CreatingPrefix = ".creating-";

    public void Write(LocalSandboxRecord record) =>
        WriteAtomically(PathsFor(record.Id).RecordFile, JsonSerializer.SerializeToUtf8Bytes(record, LocalJsonContext.Default.LocalSandboxRecord));

    public IEnumerable<string> SandboxIds()
    {
        if (!Directory.Exists(SandboxesDir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(SandboxesDir).Select(Path.GetFileName).Where(n => n is not null && IsValidId(n)).Cast<string>();
    }

    public string SnapshotDir(string snapshotId) =>
        IsValidId(snapshotId)
            ? Path.Combine(SnapshotsDir, snapshotId)
            : throw new NotFoundException(LocalProvider.ProviderId, $"No local snapshot has the id '{snapshotId}'.");

    public LocalSnapshotRecord? TryReadSnapshot(string snapshotId)
    {
        if (!IsValidId(snapshotId))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(Path.Combine(SnapshotDir(snapshotId), "snapshot.json"));
            return JsonSerializer.Deserialize(stream, LocalJsonContext.Default.LocalSnapshotRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public void WriteSnapshot(LocalSnapshotRecord record) =>
        WriteAtomically(Path.Combine(SnapshotDir(record.Id), "snapshot.json"),
            JsonSerializer.SerializeToUtf8Bytes(record, LocalJsonContext.Default.LocalSnapshotRecord));

    public IEnumerable<LocalSnapshotRecord> Snapshots()
    {
        if (!Directory.Exists(SnapshotsDir))
        {
            yield break;
        }

        foreach (var dir in Directory.EnumerateDirectories(SnapshotsDir))
        {
            if (TryReadSnapshot(Path.GetFileName(dir)) is { } record)
            {
                yield return record;
            }
        }
    }

    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp-" + RandomToken(6);
        using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write))
        {
            // Records hold the sandbox's environment, which may carry secrets: owner-only.
            LibC.Chmod(temp, 0x180);
            RandomAccess.Write(handle, content, 0);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static string RandomToken(int length)
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        Span<byte> bytes = stackalloc byte[length];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[bytes[i] % alphabet.Length];
        }

        return new string(chars);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z")]
    private static partial Regex IdPattern();
}
