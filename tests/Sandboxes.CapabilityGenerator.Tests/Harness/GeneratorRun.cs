using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>One run of the generator: the driver (to run again incrementally), its result, and the compilation with its output.</summary>
internal sealed record GeneratorRun(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output, Compilation Input)
{
    /// <summary>The diagnostics the generator reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics;

    /// <summary>Errors of the compilation once the generated code is added (the generator's own diagnostics excluded).</summary>
    public IReadOnlyList<Diagnostic> CompilationErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    /// <summary>The hint names of the generated files.</summary>
    public IReadOnlyList<string> HintNames => Result.Results.Single().GeneratedSources.Select(s => s.HintName).ToList();

    /// <summary>The text of one generated file.</summary>
    public string Generated(string hintName) =>
        Result.Results.Single().GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>The diagnostics with a given id.</summary>
    public IReadOnlyList<Diagnostic> WithId(string id) => Diagnostics.Where(d => d.Id == id).ToList();

    /// <summary>Ids of every diagnostic, sorted, for readable assertions.</summary>
    public IReadOnlyList<string> Ids => Diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
}
