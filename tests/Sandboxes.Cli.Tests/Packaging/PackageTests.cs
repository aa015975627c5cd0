using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Packaging;

/// <summary>
/// The packages as users get them: the solution's packable projects packed from this build into a feed, each with its
/// licence, readme and repository; the tool installed from that feed into a tool path of its own, then run.
/// </summary>
[TestFixture]
public sealed class PackageTests
{
    private static readonly string[] Packages = ["Sandboxes", "Sandboxes.Extensions.DependencyInjection", "Sandboxes.Cli"];

    private string _dir = null!;
    private string _feed = null!;

    [OneTimeSetUp]
    public async Task Pack()
    {
        _dir = Path.Combine(CliTestEnvironment.StateDir, "packages-" + Guid.NewGuid().ToString("N")[..8]);
        _feed = Path.Combine(_dir, "feed");
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        // Packs what the build made (no second build), as a release pipeline packs after its tests.
        var pack = await DotnetAsync(["pack", Path.Combine(Requires.RepositoryRoot, "Sandboxes.sln"), "-c", configuration, "--no-build", "-o", _feed]);
        Assert.That(pack.ExitCode, Is.Zero, pack.Stdout + pack.Stderr);
    }

    [OneTimeTearDown]
    public void Remove()
    {
        if (_dir is not null && Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [TestCaseSource(nameof(Packages))]
    public void A_package_carries_its_licence_readme_repository_and_symbols(string id)
    {
        var package = PackageFile(id);
        using var zip = ZipFile.OpenRead(package);
        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName == id + ".nuspec").Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.That(metadata.Elements().Single(e => e.Name.LocalName == "license").Attribute("type")?.Value, Is.EqualTo("expression"));
        Assert.That(Value("license"), Is.EqualTo("MIT"));
        Assert.That(Value("readme"), Is.EqualTo("README.md"));
        Assert.That(zip.GetEntry("README.md"), Is.Not.Null, "the readme is in the package");
        Assert.That(Value("description"), Is.Not.Empty);
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.That(repository.Attribute("commit")?.Value, Does.Match("^[0-9a-f]{40}$"), "SourceLink names the commit");
        Assert.That(File.Exists(Path.ChangeExtension(package, ".snupkg")), Is.True, "symbols are packed beside it");
    }

    [Test]
    public async Task The_tool_installs_from_the_feed_and_runs_a_command_in_a_sandbox()
    {
        Requires.Bubblewrap();
        var tools = Path.Combine(_dir, "tools");
        var version = Path.GetFileNameWithoutExtension(PackageFile("Sandboxes.Cli"))["Sandboxes.Cli.".Length..];
        var install = await DotnetAsync(["tool", "install", "Sandboxes.Cli", "--version", version, "--tool-path", tools, "--add-source", _feed]);
        Assert.That(install.ExitCode, Is.Zero, install.Stdout + install.Stderr);

        var run = await RunAsync(Path.Combine(tools, "sandboxes"), ["run", "echo hi"], CliTool.EnvironmentFor());

        Assert.That(run.ExitCode, Is.Zero, run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo("hi\n"));
    }

    /// <summary>The package <paramref name="id"/> in the feed (not another whose id starts the same).</summary>
    private string PackageFile(string id) =>
        Directory.GetFiles(_feed, "*.nupkg").Single(p => Regex.IsMatch(Path.GetFileName(p), "^" + Regex.Escape(id) + @"\.\d+\.\d+\.\d+(-[\w.]+)?\.nupkg$"));

    private static Task<CliResult> DotnetAsync(IReadOnlyList<string> args) =>
        RunAsync("dotnet", args, new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });

    private static async Task<CliResult> RunAsync(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
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

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 5 minutes; stderr so far: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
