using System.IO.Compression;
using System.Xml.Linq;
using NUnit.Framework;
using Sandboxes.Cli.Tests.Harness;
using Sandboxes.Testing;

namespace Sandboxes.Cli.Tests.Packaging;

/// <summary>
/// The packages as users get them: the solution's packable projects packed from this build into a feed, each with its
/// licence, readme and repository; the tool installed from that feed into a tool path of its own, then run. The feed is
/// packed once per run by <see cref="PackedFeed"/>.
/// </summary>
[TestFixture]
public sealed class PackageTests
{
    private static readonly string[] Packages = ["Sandboxes", "Sandboxes.Extensions.DependencyInjection", "Sandboxes.Cli"];

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
        var tools = Path.Combine(PackedFeed.Directory, "tools");
        var install = await PackedFeed.DotnetAsync(["tool", "install", "Sandboxes.Cli", "--version", PackedFeed.Version("Sandboxes.Cli"), "--tool-path", tools, "--add-source", PackedFeed.Feed]);
        Assert.That(install.ExitCode, Is.Zero, install.Stdout + install.Stderr);

        var run = await PackedFeed.RunAsync(Path.Combine(tools, "sandboxes"), ["run", "echo hi"], CliTool.EnvironmentFor());

        Assert.That(run.ExitCode, Is.Zero, run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo("hi\n"));
    }

    private static string PackageFile(string id) => PackedFeed.PackageFile(id);
}
