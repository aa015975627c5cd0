using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Packaging;

/// <summary>
/// The solution's packable projects packed once per test run into a local feed, shared by every packaging test (the
/// packages as users get them, the tool installed from them, a project consuming them); removed at the end of the run.
/// </summary>
[SetUpFixture]
public sealed class PackedFeed
{
    private static string? _dir;

    /// <summary>The directory of this run's packaging tests: the feed and what the tests make beside it.</summary>
    public static string Directory => _dir ?? throw new InvalidOperationException("The packages are packed by the set-up of the Packaging namespace.");

    /// <summary>The local feed holding the packed packages.</summary>
    public static string Feed => Path.Combine(Directory, "feed");

    [OneTimeSetUp]
    public async Task Pack()
    {
        _dir = Path.Combine(CliTestEnvironment.StateDir, "packages-" + Guid.NewGuid().ToString("N")[..8]);
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        // Packs what the build made (no second build), as a release pipeline packs after its tests.
        var pack = await DotnetAsync(["pack", Path.Combine(Requires.RepositoryRoot, "Sandboxes.sln"), "-c", configuration, "--no-build", "-o", Feed]);
        Assert.That(pack.ExitCode, Is.Zero, pack.Stdout + pack.Stderr);
    }

    [OneTimeTearDown]
    public void Remove()
    {
        if (_dir is not null && System.IO.Directory.Exists(_dir))
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>The package <paramref name="id"/> in the feed (not another whose id starts the same).</summary>
    public static string PackageFile(string id) =>
        System.IO.Directory.GetFiles(Feed, "*.nupkg").Single(p => Regex.IsMatch(Path.GetFileName(p), "^" + Regex.Escape(id) + @"\.\d+\.\d+\.\d+(-[\w.]+)?\.nupkg$"));

    /// <summary>The version of the package <paramref name="id"/> in the feed.</summary>
    public static string Version(string id) => Path.GetFileNameWithoutExtension(PackageFile(id))[(id.Length + 1)..];

    /// <summary>Runs <c>dotnet</c> without telemetry or banners.</summary>
    public static Task<CliResult> DotnetAsync(IReadOnlyList<string> args, string? workingDirectory = null) =>
        RunAsync("dotnet", args, new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }, workingDirectory);

    /// <summary>Runs <paramref name="program"/> to its end (5 minutes at most) with <paramref name="environment"/> changed.</summary>
    public static async Task<CliResult> RunAsync(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program);
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var (exitCode, stdout, stderr) = await ExternalProcess.RunAsync(start, TimeSpan.FromMinutes(5));
        return new CliResult(exitCode, stdout, stderr);
    }
}
