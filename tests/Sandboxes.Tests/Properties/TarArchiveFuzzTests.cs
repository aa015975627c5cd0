using System.Formats.Tar;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Sandboxes.Isolation;
using Sandboxes.Providers.Docker;
using Sandboxes.Providers.Local;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Tar archives from outside the process given arbitrary and damaged bytes: the engine's answer to an archive read
/// (docker) gives the file, a link or a typed error, and never a silently shortened file; a snapshot archive restored
/// into a workspace (local) restores or raises a typed error, and writes nothing outside the workspace. Each within a
/// bound, and a header claiming a huge extended-attribute block costs no memory for bytes that never came.
/// </summary>
[TestFixture]
public sealed class TarArchiveFuzzTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public void An_engine_archive_of_any_bytes_gives_the_file_a_link_or_a_typed_error()
    {
        Check.One(FuzzProfile.Config(ci: 300, @long: 20_000), Prop.ForAll(FuzzBytes.From(ValidArchive()).ToArbitrary(), bytes =>
        {
            var outcome = Bounded.Run(Bound, async ct =>
            {
                var (file, link) = await DockerArchive.FirstEntryAsync(new ChunkedStream(bytes, 100), "/workspace/f", "0123456789ab", ct);
                if (file is null)
                {
                    return "link " + link;
                }

                await using (file)
                {
                    using var copy = new MemoryStream();
                    await file.CopyToAsync(copy, ct);
                    PropertyViolation.Unless(copy.Length == file.Length, $"read {copy.Length} bytes of a file of {file.Length}");
                    return "file of " + copy.Length;
                }
            }, "an engine archive");
            PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{outcome}\n{outcome.Error}");
        }));
    }

    [Test]
    public void A_snapshot_archive_of_any_bytes_restores_or_raises_a_typed_error_and_stays_in_its_workspace()
    {
        using var canary = new HostCanary();
        var root = Path.Combine(TestEnvironment.StateDir, "tar-fuzz-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var number = 0;
        try
        {
            Check.One(FuzzProfile.Config(ci: 150, @long: 5000), Prop.ForAll(FuzzBytes.From(ValidArchive(canary)).ToArbitrary(), bytes =>
            {
                var dir = Path.Combine(root, (++number).ToString(System.Globalization.CultureInfo.InvariantCulture));
                var workspace = Path.Combine(dir, "workspace");
                Directory.CreateDirectory(workspace);
                var tar = Path.Combine(dir, "snapshot.tar");
                File.WriteAllBytes(tar, bytes);
                var outcome = Bounded.Run(Bound, ct => SnapshotArchive.ExtractAsync(tar, workspace, IdentityMap.FromBase(null), ct), "a snapshot restore");
                PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{outcome}\n{outcome.Error}");
                PropertyViolation.Unless(Directory.EnumerateFileSystemEntries(dir).Order().SequenceEqual([tar, workspace]), "the restore wrote beside its workspace");
                PropertyViolation.Unless(canary.IsUntouched, "the restore changed the host canary");
                Directory.Delete(dir, recursive: true);
            }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void An_extended_header_claiming_gigabytes_costs_only_what_was_sent()
    {
        foreach (var type in new[] { (byte)'x', (byte)'g', (byte)'L', (byte)'K' })
        {
            var header = Header(type, "big", 0x7FFF_0000L);
            Exception? error = null;
            var allocated = Allocations.Of(() =>
            {
                try
                {
                    DockerArchive.FirstEntryAsync(new ChunkedStream(header), "/f", "0123456789ab", CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    error = e;
                }
            });

            Assert.That(error, Is.InstanceOf<SandboxException>(), ((char)type).ToString());
            Assert.That(allocated, Is.LessThan(16 * 1024 * 1024), $"a '{(char)type}' header claiming 2 GB with no data");
        }
    }

    // Valid archives as engines and snapshots write them: files, directories, links (some climbing out), long names.
    private static Gen<byte[]> ValidArchive(HostCanary? canary = null) =>
        Gen.ListOf(Gen.Zip(Gen.Elements(TarEntryType.RegularFile, TarEntryType.Directory, TarEntryType.SymbolicLink),
                Gen.Elements("f", "dir/", "dir/f", "a/b/c", "../escape", "/abs", new string('n', 120) + "/long", "./dot", "link/through", "é"),
                (type, name) => (Type: type, Name: name))
            .Zip(FuzzBytes.Any, (e, data) => (e.Type, e.Name, Data: data)))
            .Select(entries =>
            {
                using var output = new MemoryStream();
                using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
                {
                    foreach (var (type, name, data) in entries.Take(5))
                    {
                        var entry = new PaxTarEntry(type, name);
                        if (type == TarEntryType.RegularFile)
                        {
                            entry.DataStream = new MemoryStream(data);
                        }
                        else if (type == TarEntryType.SymbolicLink)
                        {
                            entry.LinkName = canary?.Directory ?? "../../..";
                        }

                        writer.WriteEntry(entry);
                    }
                }

                return output.ToArray();
            });

    // A ustar header block of the given type and claimed size, with a valid checksum and no data after it.
    private static byte[] Header(byte type, string name, long size)
    {
        var block = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(block, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(block, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(block, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(block, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(block, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(block, 136);
        block[156] = type;
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(block, 257);
        "        "u8.CopyTo(block.AsSpan(148));
        var sum = block.Sum(b => (int)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(block, 148);
        return block;
    }
}
