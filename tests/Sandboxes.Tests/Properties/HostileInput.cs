using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Generators of what a hostile or careless caller hands the API: paths that climb, repeat separators, hold NUL, odd
/// Unicode, names past the kernel's limits, host paths and the links a sandbox planted; environment names and values;
/// command lines of every byte; labels; file contents.
/// </summary>
public static class HostileInput
{
    /// <summary>The parts paths are built from, besides generated names.</summary>
    private static readonly string[] Parts =
    [
        "..", ".", "", "...", "workspace", "tmp", "etc", "root", "home", "proc", "self", "1", "fd", "cwd", "dev", "zero",
        "file.txt", "dir", "fifo", "~", "*", "-rf", "--", "\\", "..\\..", "%2e%2e", " ", "'", "\"", "$(id)", "`id`", "\n",
        "\r", "\t", "a\0b", "\0", "\u202e", "\ud800", "\udfff", "日本語", "é", "🙂", "\uFEFF",
    ];

    /// <summary>Names that are no variable name: every provider must refuse them with a typed error.</summary>
    public static readonly string[] InvalidEnvNames =
    [
        "", "1A", "A=B", "=", "A B", "A\n", "A\nB", "\nA", "A\0", "A-B", "é", "A;id", "$(id)", "`id`", "A'", "PATH=/x", "A\r", " A", "A ",
    ];

    /// <summary>Valid names the shell or the dynamic loader treats specially: refused or honoured, never a crash or a leak.</summary>
    public static readonly string[] SpecialEnvNames =
    [
        "PATH", "HOME", "LD_PRELOAD", "LD_LIBRARY_PATH", "IFS", "ENV", "BASH_ENV", "SHELL", "PWD", "SANDBOX_ID", "_", "PS4", "LINENO", "OPTIND",
    ];

    /// <summary>Any UTF-16 code unit, lone surrogates, NUL and '/' included.</summary>
    public static Gen<char> AnyChar { get; } = Gen.Frequency(
        (4, Gen.Choose(0x20, 0x7E).Select(c => (char)c)),
        (2, Gen.Choose(0, 0x1F).Select(c => (char)c)),
        (2, Gen.Choose(0x80, 0xFFFF).Select(c => (char)c)));

    /// <summary>Strings of any code units.</summary>
    public static Gen<string> AnyString { get; } = Gen.ArrayOf(AnyChar).Select(chars => new string(chars));

    /// <summary>Strings of the code units 0 to 255 only: a command line of "every byte" as the shell would see it.</summary>
    public static Gen<string> ByteString { get; } = Gen.ArrayOf(Gen.Choose(0, 255).Select(c => (char)c)).Select(chars => new string(chars));

    /// <summary>Names at and past the kernel's limits (255 bytes a name, 4096 a path).</summary>
    public static Gen<string> LongName { get; } = Gen.Elements(254, 255, 256, 1000, 4096, 5000).Select(n => new string('a', n))
        .Or(Gen.Elements(85, 86, 200).Select(n => string.Concat(Enumerable.Repeat("日", n))));

    /// <summary>
    /// A path: generated parts joined by one or two slashes, relative or absolute, or one of <paramref name="hostPaths"/>
    /// (absolute host paths, which must stay out of reach) plain or behind a climb or a <c>/proc</c> root link.
    /// </summary>
    /// <param name="names">Names that exist in the sandbox (links to the host among them), used as parts.</param>
    /// <param name="hostPaths">Absolute host paths the sandbox must never reach.</param>
    public static Gen<string> Path(IReadOnlyList<string> names, IReadOnlyList<string> hostPaths)
    {
        var part = Gen.Frequency(
            (6, Gen.Elements(Parts)),
            (4, Gen.Elements(names.ToArray())),
            (2, AnyString),
            (1, LongName));
        var joined = Gen.Zip(Gen.Elements("/", string.Empty, "//", "/workspace/"), Gen.Elements("/", "//"))
            .SelectMany(s => Gen.NonEmptyListOf(part).Select(parts => s.Item1 + string.Join(s.Item2, parts)));
        var host = Gen.Zip(Gen.Elements(string.Empty, "/proc/self/root", "/proc/1/root", "/../../../..", "..", "/workspace/../../.."),
            Gen.Elements(hostPaths.ToArray())).Select(p => p.Item1 + p.Item2);
        return Gen.Frequency((6, joined), (2, host), (1, Gen.Elements("/", ".", "..", string.Empty, "/..", "//", "\0", "/workspace")));
    }

    /// <summary>An environment variable name: valid ones (unused by the shell), hostile ones, special ones, any string.</summary>
    /// <remarks>Mostly valid, so that most requests get past validation and their values are compared.</remarks>
    public static Gen<string> EnvName { get; } = Gen.Frequency(
        (8, Gen.ArrayOf(Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_".ToCharArray())).Select(c => "FUZZ_" + new string(c))),
        (2, Gen.Elements(InvalidEnvNames)),
        (1, Gen.Elements(SpecialEnvNames)),
        (1, AnyString));

    /// <summary>An environment value: any string, or one that tries to break out of quoting.</summary>
    public static Gen<string> EnvValue { get; } = Gen.Frequency(
        (4, AnyString),
        (2, ByteString),
        (1, Gen.Elements("'", "'\\''", "$(echo INJECTED)", "`echo INJECTED`", "\"; echo INJECTED; \"", "\0", "a\0b", "\n", "${PATH}", "%s%n", "\\")));

    /// <summary>File contents: empty, small arbitrary bytes, text, or a larger block.</summary>
    public static Gen<byte[]> Content { get; } = Gen.Frequency(
        (5, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))),
        (2, AnyString.Select(s => Encoding.UTF8.GetBytes(s))),
        (1, Gen.Zip(Gen.Choose(60_000, 300_000), Gen.Choose(0, int.MaxValue)).Select(p => RandomBytes(p.Item1, p.Item2))));

    /// <summary>Labels: keys and values of any string, a few at a time.</summary>
    public static Gen<Dictionary<string, string>> Labels { get; } =
        Gen.ListOf(Gen.Zip(Gen.Frequency((3, AnyString), (1, Gen.Elements("", "a", "sandboxes.docker.sandbox", "x=y", "é", "\0", "a\nb"))), AnyString))
            .Select(pairs => pairs.Take(6).GroupBy(p => p.Item1, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Item2, StringComparer.Ordinal));

    /// <summary>What a string becomes through UTF-8 (lone surrogates turn into U+FFFD): the best a round trip can give back.</summary>
    public static string ThroughUtf8(string value) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));

    // Seeded from the generator, so that a failing case replays with the same bytes.
    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new System.Random(seed).NextBytes(bytes);
        return bytes;
    }
}
