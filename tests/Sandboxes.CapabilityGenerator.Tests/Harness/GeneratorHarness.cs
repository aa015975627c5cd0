using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sandboxes.Generators.Capabilities;
using Sandboxes.Providers;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>
/// Runs the capability generator over in-memory sources and tables through <see cref="CSharpGeneratorDriver"/>, the
/// way the compiler does, with step tracking on so incremental tests can read why each step ran.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    // The framework the tests run on, plus the library that defines the provider contract.
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal));
        return framework.Append(typeof(SandboxProvider).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    /// <summary>A compilation of the given sources (named <c>/src/Source0.cs</c>...) against the library.</summary>
    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Adapters",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"/src/Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A driver holding the generator and the given AdditionalFiles.</summary>
    public static GeneratorDriver Driver(params AdditionalText[] additionalFiles) =>
        CSharpGeneratorDriver.Create(
            [new Generators.Capabilities.CapabilityGenerator().AsSourceGenerator()],
            additionalFiles,
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once.</summary>
    public static GeneratorRun Run(string[] sources, params AdditionalText[] additionalFiles) =>
        Run(Driver(additionalFiles), Compilation(sources));

    /// <summary>Runs a driver (new, or from an earlier run) over a compilation.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorRun(driver, driver.GetRunResult(), output, compilation);
    }

    /// <summary>Runs the generator over one adapter source and one table.</summary>
    public static GeneratorRun Run(string source, AdditionalText table) => Run([source], table);

    /// <summary>The model types of the generator assembly (for the reflection test).</summary>
    public static Type GeneratorType => typeof(Generators.Capabilities.CapabilityGenerator);

    /// <summary>The descriptor ids the generator defines.</summary>
    public static IEnumerable<string> DiagnosticIds => CapabilityDiagnostics.Descriptors.Select(d => d.Id);
}
