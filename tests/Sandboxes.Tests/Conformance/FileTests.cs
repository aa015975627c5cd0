using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>Reading, writing, listing, creating and removing files; paths that try to leave the sandbox.</summary>
[TestFixtureSource(typeof(ProviderTargets), nameof(ProviderTargets.Fixtures))]
public sealed class FileTests(ProviderTarget target, ApiMode mode) : ConformanceTest(target, mode)
{
    [Test]
    public async Task Binary_content_round_trips_byte_for_byte()
    {
        var path = TestPath("data.bin");
        var content = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(new byte[] { 0, 1, 2, 255 }).ToArray();

        await Call(() => Sandbox.WriteFile(path, content), () => Sandbox.WriteFileAsync(path, content));
        var back = await Call(() => Sandbox.ReadFile(path), () => Sandbox.ReadFileAsync(path));

        Assert.That(back, Is.EqualTo(content));
    }

    [Test]
    public async Task A_file_written_through_the_api_is_seen_by_commands_and_the_other_way_round()
    {
        var path = TestPath("note.txt");
        await Call(() => Sandbox.WriteText(path, "from api\n"), () => Sandbox.WriteTextAsync(path, "from api\n"));

        var seen = await Run($"cat {path}; echo from command > {path}.out");
        var back = await Call(() => Sandbox.ReadText(path + ".out"), () => Sandbox.ReadTextAsync(path + ".out"));

        Assert.That(seen.Stdout, Is.EqualTo("from api\n"));
        Assert.That(back, Is.EqualTo("from command\n"));
    }

    [Test]
    public async Task Large_file_round_trips()
    {
        var path = TestPath("big.bin");
        var content = new byte[12 * 1024 * 1024];
        new Random(7).NextBytes(content);

        await Call(() => Sandbox.WriteFile(path, content), () => Sandbox.WriteFileAsync(path, content));
        var back = await Call(() => Sandbox.ReadFile(path), () => Sandbox.ReadFileAsync(path));
        var sum = await Run($"wc -c < {path}");

        Assert.That(back, Is.EqualTo(content));
        Assert.That(sum.Stdout.Trim(), Is.EqualTo(content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Listing_describes_each_entry()
    {
        var dir = TestPath("list");
        await Call(() => Sandbox.MakeDir(dir + "/child"), () => Sandbox.MakeDirAsync(dir + "/child"));
        await Call(() => Sandbox.WriteFile(dir + "/five.txt", "12345"u8.ToArray(), mode: 0x1ED), () => Sandbox.WriteFileAsync(dir + "/five.txt", "12345"u8.ToArray(), mode: 0x1ED));

        var entries = await Call(() => Sandbox.ListDirectory(dir), () => Sandbox.ListDirectoryAsync(dir));

        Assert.That(entries.Select(e => e.Name), Is.EquivalentTo(new[] { "child", "five.txt" }));
        var file = entries.Single(e => e.Name == "five.txt");
        Assert.That(file.Path, Is.EqualTo(dir + "/five.txt"));
        Assert.That(file.IsDir, Is.False);
        Assert.That(file.Size, Is.EqualTo(5));
        Assert.That(file.Mode, Is.EqualTo(0x1ED), "mode 0755 as written");
        var child = entries.Single(e => e.Name == "child");
        Assert.That(child.IsDir, Is.True);
        Assert.That(child.Path, Is.EqualTo(dir + "/child"));
    }

    [Test]
    public async Task MakeDir_creates_parents_and_remove_takes_everything_below()
    {
        var root = TestPath("tree");
        await Call(() => Sandbox.MakeDir(root + "/a/b/c"), () => Sandbox.MakeDirAsync(root + "/a/b/c"));
        await Call(() => Sandbox.MakeDir(root + "/a/b/c"), () => Sandbox.MakeDirAsync(root + "/a/b/c")); // again: not an error
        await Call(() => Sandbox.WriteText(root + "/a/b/c/f", "x"), () => Sandbox.WriteTextAsync(root + "/a/b/c/f", "x"));

        Assert.That(await Call(() => Sandbox.Exists(root + "/a/b/c/f"), () => Sandbox.ExistsAsync(root + "/a/b/c/f")), Is.True);

        await Call(() => Sandbox.Remove(root + "/a"), () => Sandbox.RemoveAsync(root + "/a"));

        Assert.That(await Call(() => Sandbox.Exists(root + "/a"), () => Sandbox.ExistsAsync(root + "/a")), Is.False);
        Assert.That(await Call(() => Sandbox.Exists(root), () => Sandbox.ExistsAsync(root)), Is.True);
        await Call(() => Sandbox.Remove(root + "/a"), () => Sandbox.RemoveAsync(root + "/a")); // missing: not an error
    }

    [Test]
    public async Task Writing_creates_parent_directories()
    {
        var path = TestPath("deep/er/file.txt");

        await Call(() => Sandbox.WriteText(path, "x"), () => Sandbox.WriteTextAsync(path, "x"));

        Assert.That(await Call(() => Sandbox.ReadText(path), () => Sandbox.ReadTextAsync(path)), Is.EqualTo("x"));
    }

    [Test]
    public async Task Names_with_spaces_and_symbols_round_trip()
    {
        var dir = TestPath("odd dir");
        var path = dir + "/a b#c?d%20é+.txt";

        await Call(() => Sandbox.WriteText(path, "odd"), () => Sandbox.WriteTextAsync(path, "odd"));
        var back = await Call(() => Sandbox.ReadText(path), () => Sandbox.ReadTextAsync(path));
        var entries = await Call(() => Sandbox.ListDirectory(dir), () => Sandbox.ListDirectoryAsync(dir));
        var seen = await Run($"cat '{path}'");

        Assert.That(back, Is.EqualTo("odd"));
        Assert.That(entries.Single().Name, Is.EqualTo("a b#c?d%20é+.txt"));
        Assert.That(entries.Single().Path, Is.EqualTo(path));
        Assert.That(seen.Stdout, Is.EqualTo("odd"));
    }

    [Test]
    public void Reading_a_missing_file_is_not_found()
    {
        Assert.That(async () => await Call(() => Sandbox.ReadFile("/workspace/missing.txt"), () => Sandbox.ReadFileAsync("/workspace/missing.txt")),
            Throws.InstanceOf<NotFoundException>());
    }

    [Test]
    public void Reading_a_directory_is_bad_input()
    {
        Assert.That(async () => await Sandbox.ReadFileAsync("/workspace"), Throws.InstanceOf<BadConfigException>().With.Message.Contains("directory"));
    }

    [Test]
    public void A_path_climbing_above_the_root_is_refused()
    {
        Assert.That(async () => await Call(() => Sandbox.ReadFile("/workspace/../../../etc/passwd"), () => Sandbox.ReadFileAsync("/workspace/../../../etc/passwd")),
            Throws.InstanceOf<InvalidSandboxPathException>());
        Assert.That(async () => await Sandbox.WriteFileAsync("../../../../tmp/escape", [1]), Throws.InstanceOf<InvalidSandboxPathException>());
    }

    [Test]
    public void Paths_with_nul_are_refused()
    {
        Assert.That(async () => await Sandbox.ReadFileAsync("/workspace/a\0b"), Throws.InstanceOf<InvalidSandboxPathException>());
    }

    [Test]
    public async Task Relative_paths_are_relative_to_the_workspace()
    {
        var name = $"rel-{Guid.NewGuid():N}.txt";
        await Sandbox.WriteTextAsync(name, "relative");

        Assert.That(await Sandbox.ReadTextAsync("/workspace/" + name), Is.EqualTo("relative"));
    }
}
