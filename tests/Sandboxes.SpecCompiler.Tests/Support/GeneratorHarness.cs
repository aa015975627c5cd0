using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sandboxes.Generators;

namespace Sandboxes.SpecCompiler.Tests.Support;

/// <summary>A spec handed to the generator: its path, text and AdditionalFiles metadata.</summary>
public sealed record SpecFile(string Path, string Text, IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>Reads a spec of the repository's specs/ folder.</summary>
    public static SpecFile FromRepository(string relativePath, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var path = System.IO.Path.Combine(Sandboxes.Testing.Requires.RepositoryRoot, relativePath);
        return new SpecFile(path, File.ReadAllText(path), metadata);
    }
}

/// <summary>The outcome of one generator run and the compilation of its output.</summary>
public sealed record GeneratorRun(
    GeneratorDriver Driver,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    IReadOnlyDictionary<string, string> Sources,
    TimeSpan Elapsed)
{
    /// <summary>Errors and warnings of compiling the generated code (with the input C#).</summary>
    public IReadOnlyList<Diagnostic> CompileProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Generator diagnostics of warning severity or above.</summary>
    public IReadOnlyList<Diagnostic> GeneratorWarnings =>
        GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>
/// Drives <see cref="SpecCompilerGenerator"/> through <see cref="CSharpGeneratorDriver"/> (the Roslyn testing packages are
/// not available here), with in-memory AdditionalFiles and their metadata.
/// </summary>
public static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll" or "Microsoft.Win32.Primitives.dll")
            .Append(typeof(Sandboxes.Http.ApiClientCore).Assembly.Location)
            .Distinct();
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    /// <summary>Parse options of the test compilations.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>Creates a compilation of <paramref name="csharp"/> that references the runtime and Sandboxes.</summary>
    public static CSharpCompilation CreateCompilation(params string[] csharp) =>
        CSharpCompilation.Create(
            "GeneratedClients",
            csharp.Select(c => CSharpSyntaxTree.ParseText(c, ParseOptions)),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Creates a driver for the given specs, tracking incremental steps.</summary>
    public static GeneratorDriver CreateDriver(IEnumerable<SpecFile> specs, string? rootNamespace = "TestApp") =>
        CreateDriver(specs, out _, rootNamespace);

    /// <summary>Creates a driver for the given specs and hands out the AdditionalTexts it holds (to replace one later).</summary>
    public static GeneratorDriver CreateDriver(IEnumerable<SpecFile> specs, out IReadOnlyList<AdditionalText> additionalTexts, string? rootNamespace = "TestApp")
    {
        var texts = specs.Select(s => (AdditionalText)new InMemoryAdditionalText(s.Path, s.Text)).ToList();
        additionalTexts = texts;
        var metadata = specs.ToDictionary(s => s.Path, s => s.Metadata ?? new Dictionary<string, string>());
        return CSharpGeneratorDriver.Create(
            new[] { new SpecCompilerGenerator().AsSourceGenerator() },
            texts,
            ParseOptions,
            new OptionsProvider(metadata, rootNamespace),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs the generator over <paramref name="specs"/> and compiles its output with <paramref name="csharp"/>.</summary>
    public static GeneratorRun Run(IEnumerable<SpecFile> specs, params string[] csharp)
    {
        var compilation = CreateCompilation(csharp.Length == 0 ? new[] { "namespace TestApp { internal static class Placeholder { } }" } : csharp);
        var driver = CreateDriver(specs);
        return Run(driver, compilation);
    }

    /// <summary>Runs (or re-runs) <paramref name="driver"/> over <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation)
    {
        var watch = Stopwatch.StartNew();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        watch.Stop();
        var sources = driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources)
            .ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        return new GeneratorRun(driver, output, diagnostics, sources, watch.Elapsed);
    }

    /// <summary>Formats diagnostics one a line, for assertion messages.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics, int max = 40) =>
        string.Join("\n", diagnostics.Take(max).Select(d => d.ToString()));

    /// <summary>An AdditionalText held in memory.</summary>
    public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class OptionsProvider(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> metadata, string? rootNamespace)
        : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(
            rootNamespace is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["build_property.RootNamespace"] = rootNamespace });

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            metadata.TryGetValue(textFile.Path, out var values)
                ? new Options(values.ToDictionary(p => "build_metadata.AdditionalFiles." + p.Key, p => p.Value))
                : Options.Empty;
    }

    private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(new Dictionary<string, string>());

        public override bool TryGetValue(string key, out string value)
        {
            var found = values.TryGetValue(key, out var v);
            value = v ?? string.Empty;
            return found;
        }
    }
}
