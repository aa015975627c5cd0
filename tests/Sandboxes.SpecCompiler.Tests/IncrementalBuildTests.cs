using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// The MSBuild targets are incremental, checked on a real build of a throwaway project that imports them (as the package's
/// build/Sandboxes.targets does) with one spec: a no-op rebuild runs no generation, an edit of C# runs none either, touching
/// the spec re-runs the tool (and the compiler after it) without rewriting the spec list, and changing an item's option
/// regenerates. What MSBuild did is read from its detailed log ("Skipping target ..." / "Building target ... completely")
/// and from the generated file's time stamp.
/// </summary>
[TestFixture]
[Category("Build")]
public sealed class IncrementalBuildTests
{
    private const string Target = "SandboxesCompileSpecs";

    private string _dir = null!;

    [SetUp]
    public void Create() => _dir = Directory.CreateTempSubdirectory("sandboxes-incremental-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task A_no_op_rebuild_runs_no_generation_and_touching_the_spec_reruns_only_the_tool()
    {
        var bin = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(bin)).Parent!.Name;
        var compiler = Path.Combine(Requires.RepositoryRoot, "generators", "Sandboxes.SpecCompiler", "bin", configuration, "net10.0", "Sandboxes.SpecCompiler.dll");
        Assert.That(File.Exists(compiler), Is.True, "the spec compiler is built beside this test project: " + compiler);
        var targets = Path.Combine(Requires.RepositoryRoot, "generators", "Sandboxes.SpecCompiler", "build", "Sandboxes.SpecCompiler.targets");

        var spec = Path.Combine(_dir, "probe.yaml");
        await File.WriteAllTextAsync(spec, """
            openapi: 3.0.3
            info: { title: Probe, version: '1' }
            paths:
              /things/{id}:
                get:
                  operationId: getThing
                  parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
                  responses:
                    '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Thing' } } } }
            components:
              schemas:
                Thing: { type: object, properties: { id: { type: string }, state: { type: string, enum: [on, off] } } }
            """);
        await File.WriteAllTextAsync(Path.Combine(_dir, "Use.cs"), "namespace Probe { public static class Use { public static string? Id(Api.Thing t) => t.Id; } }\n");
        string Project(string ns) => $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <SandboxesSpecCompilerPath>{compiler}</SandboxesSpecCompilerPath>
              </PropertyGroup>
              <Import Project="{targets}" />
              <ItemGroup>
                <Reference Include="{Path.Combine(bin, "Sandboxes.dll")}" />
                <Reference Include="{Path.Combine(bin, "Refit.dll")}" />
                <SandboxesSpec Include="probe.yaml" Namespace="{ns}" ClientName="Probe" />
              </ItemGroup>
            </Project>
            """;
        var project = Path.Combine(_dir, "Probe.csproj");
        await File.WriteAllTextAsync(project, Project("Probe.Api"));
        var generated = Path.Combine(_dir, "obj", "Debug", "net10.0", "Sandboxes", "Probe.g.cs");
        var specList = Path.Combine(_dir, "obj", "Debug", "net10.0", "Sandboxes", "specs.txt");

        // First build: the spec is compiled.
        var first = await BuildAsync(project, restore: true);
        Assert.That(first, Does.Contain($"Building target \"{Target}\" completely."));
        Assert.That(File.Exists(generated), Is.True);
        var generatedAt = File.GetLastWriteTimeUtc(generated);
        var listedAt = File.GetLastWriteTimeUtc(specList);

        // A no-op rebuild: no generation, no compilation.
        var noop = await BuildAsync(project);
        Assert.That(noop, Does.Contain($"Skipping target \"{Target}\" because all output files are up-to-date with respect to the input files."));
        Assert.That(noop, Does.Not.Contain($"Building target \"{Target}\""));
        Assert.That(noop, Does.Contain("Skipping target \"CoreCompile\" because all output files are up-to-date"));
        Assert.That(File.GetLastWriteTimeUtc(generated), Is.EqualTo(generatedAt), "the generated file is not rewritten");

        // An edit of C#: compiled again, no generation.
        await File.AppendAllTextAsync(Path.Combine(_dir, "Use.cs"), "// edited\n");
        var edit = await BuildAsync(project);
        Assert.That(edit, Does.Contain($"Skipping target \"{Target}\" because all output files are up-to-date"));
        Assert.That(edit, Does.Contain("Building target \"CoreCompile\" completely."));
        Assert.That(File.GetLastWriteTimeUtc(generated), Is.EqualTo(generatedAt));

        // Touching the spec: the tool runs again (and the compiler after it); the spec list is not rewritten.
        File.SetLastWriteTimeUtc(spec, DateTime.UtcNow);
        var touched = await BuildAsync(project);
        Assert.That(touched, Does.Contain($"Building target \"{Target}\" completely."));
        Assert.That(touched, Does.Contain($"Input file \"{spec}\" is newer than output file"));
        Assert.That(File.GetLastWriteTimeUtc(generated), Is.GreaterThan(generatedAt), "the tool wrote the client again");
        Assert.That(File.GetLastWriteTimeUtc(specList), Is.EqualTo(listedAt), "the spec list is unchanged");

        // A changed option: the spec list changes, so the spec is compiled again, into the new namespace.
        await File.WriteAllTextAsync(project, Project("Probe.Renamed"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "Use.cs"), "namespace Probe { public static class Use { public static string? Id(Renamed.Thing t) => t.Id; } }\n");
        var option = await BuildAsync(project);
        Assert.That(option, Does.Contain($"Building target \"{Target}\" completely."));
        Assert.That(await File.ReadAllTextAsync(generated), Does.Contain("namespace Probe.Renamed"));
    }

    /// <summary>Builds with MSBuild's detailed log in English; fails on a failed build; returns the log.</summary>
    private static async Task<string> BuildAsync(string project, bool restore = false)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var arg in new[] { "build", project, "-v:d", "-tl:off", "-nologo", "-nodeReuse:false" }.Concat(restore ? [] : ["--no-restore"]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var (exitCode, stdout, stderr) = await ExternalProcess.RunAsync(start, TimeSpan.FromMinutes(5));
        var log = stdout + stderr;
        Assert.That(exitCode, Is.Zero, log.Length > 20000 ? log[^20000..] : log);
        return log;
    }
}
