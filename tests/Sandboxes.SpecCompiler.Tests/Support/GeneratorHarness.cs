using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sandboxes.Generators.Model;
using EquatableArray = Sandboxes.Generators.EquatableArray;
using SpecCompilation = Sandboxes.Generators.SpecCompilation;
using ToolDescriptors = Sandboxes.Generators.DiagnosticDescriptors;
using ToolSeverity = Sandboxes.Generators.DiagnosticSeverity;

namespace Sandboxes.SpecCompiler.Tests.Support;

/// <summary>A spec handed to the compiler: its path, text and SandboxesSpec item metadata (Namespace, ClientName, ...).</summary>
public sealed record SpecFile(string Path, string Text, IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>Reads a spec of the repository's specs/ folder.</summary>
    public static SpecFile FromRepository(string relativePath, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var path = System.IO.Path.Combine(Sandboxes.Testing.Requires.RepositoryRoot, relativePath);
        return new SpecFile(path, File.ReadAllText(path), metadata);
    }
}

/// <summary>The outcome of one compiler run and the C# compilation of its output with Refit's and System.Text.Json's generators.</summary>
public sealed record GeneratorRun(
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    IReadOnlyDictionary<string, string> Sources,
    TimeSpan Elapsed)
{
    /// <summary>Errors and warnings of compiling the generated code (with the input C# and the other generators' output).</summary>
    public IReadOnlyList<Diagnostic> CompileProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Spec compiler diagnostics of warning severity or above.</summary>
    public IReadOnlyList<Diagnostic> GeneratorWarnings =>
        GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>
/// Runs the spec compiler in process (<see cref="SpecCompilation"/>, what the MSBuild targets run) on specs held in memory,
/// then compiles its output as a build would: with Refit's and System.Text.Json's source generators, whose assemblies the
/// test project records at build time (AssemblyMetadata "SourceGenerator"). Its diagnostics become Roslyn diagnostics at
/// the spec file, their message ending with the JSON pointer, as the build prints them.
/// </summary>
public static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll" or "Microsoft.Win32.Primitives.dll")
            .Append(typeof(Sandboxes.Http.HttpErrorMapper).Assembly.Location)
            .Append(typeof(Refit.RestService).Assembly.Location)
            .Distinct();
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> Generators = new(() =>
    {
        var paths = typeof(GeneratorHarness).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key == "SourceGenerator").Select(a => a.Value!).ToList();
        if (paths.Count < 2)
        {
            throw new InvalidOperationException("The test project recorded no Refit and System.Text.Json generators; rebuild it.");
        }

        return paths.SelectMany(p => new AnalyzerFileReference(p, Loader.Instance).GetGenerators(LanguageNames.CSharp)).ToImmutableArray();
    });

    /// <summary>Parse options of the test compilations.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>Creates a compilation of <paramref name="csharp"/> that references the runtime, Refit and Sandboxes.</summary>
    public static CSharpCompilation CreateCompilation(params string[] csharp) =>
        CSharpCompilation.Create(
            "GeneratedClients",
            csharp.Select(c => CSharpSyntaxTree.ParseText(c, ParseOptions)),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Compiles <paramref name="specs"/> and builds their output with <paramref name="csharp"/>.</summary>
    public static GeneratorRun Run(IEnumerable<SpecFile> specs, params string[] csharp) => Run(specs, "TestApp", csharp);

    /// <summary>Compiles <paramref name="specs"/> with the project's root namespace <paramref name="rootNamespace"/>.</summary>
    public static GeneratorRun Run(IEnumerable<SpecFile> specs, string? rootNamespace, params string[] csharp)
    {
        var files = specs.ToList();
        var byPath = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var requests = files.Select(f => Request(f, rootNamespace)).ToList();
        var watch = Stopwatch.StartNew();
        var compiled = SpecCompilation.Compile(requests, r => byPath[r.Path].Text);
        watch.Stop();

        var sources = compiled.Where(c => c.Source is not null).ToDictionary(c => c.ClientName + ".g.cs", c => c.Source!);
        var diagnostics = compiled.SelectMany(c => c.Diagnostics).Select(ToRoslyn).ToImmutableArray();
        var compilation = CreateCompilation(csharp.Length == 0 ? ["namespace TestApp { internal static class Placeholder { } }"] : csharp)
            .AddSyntaxTrees(sources.Select(s => CSharpSyntaxTree.ParseText(s.Value, ParseOptions, path: s.Key)));
        CSharpGeneratorDriver.Create(Generators.Value, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorRun(output, diagnostics, sources, watch.Elapsed);
    }

    /// <summary>Formats diagnostics one a line, for assertion messages.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics, int max = 40) =>
        string.Join("\n", diagnostics.Take(max).Select(d => d.ToString()));

    private static SpecRequest Request(SpecFile file, string? rootNamespace)
    {
        string? Get(string key) => file.Metadata is { } m && m.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        Sandboxes.Generators.EquatableArray<string> List(string key) => EquatableArray.ToEquatableArray(Get(key) is { } v
            ? v.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : []);
        return new SpecRequest(file.Path, file.Path + ".g.cs", Get("Namespace"), Get("ClientName"), Get("BaseUrl"),
            List("IncludeTags"), List("IncludePaths"), List("IncludeOperations"), Get("Visibility"), rootNamespace);
    }

    private static Diagnostic ToRoslyn(DiagnosticInfo info)
    {
        var descriptor = ToolDescriptors.Find(info.Id);
        var severity = descriptor.Severity switch
        {
            ToolSeverity.Error => DiagnosticSeverity.Error,
            ToolSeverity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        };
        var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.Format, info.Arguments.Cast<object>().ToArray())
                      + (info.Pointer.Length == 0 ? string.Empty : " (at " + info.Pointer + ")");
        var roslyn = new DiagnosticDescriptor(info.Id, info.Id, "{0}", "Sandboxes.SpecCompiler", severity, isEnabledByDefault: true);
        return Diagnostic.Create(roslyn, Location.Create(info.FilePath, default, default), message);
    }

    /// <summary>Loads the generators' assemblies into the default context (their Roslyn dependency is the one already loaded).</summary>
    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public static readonly Loader Instance = new();

        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
