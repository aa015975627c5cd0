using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;
using Sandboxes.Generators.Capabilities;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>
/// The pipeline caches: after an edit that does not concern adapters or tables, every step reports Cached or Unchanged,
/// so nothing is re-emitted. The driver is run twice with step tracking on, as the IDE does between keystrokes.
/// </summary>
[TestFixture]
public sealed class IncrementalTests
{
    private static readonly string[] Supported = ["lifecycle", "commands.run", "files.read", "files.write"];
    private static readonly string Adapter = AdapterSource.Create("demo", "DemoProvider", Supported);
    private static readonly string Table = TableJson.Create("demo", Supported);
    private const string Unrelated = "namespace Demo; internal static class Helper { public static int Answer() => 41; }";

    [Test]
    public void Unrelated_edit_leaves_every_step_cached_or_unchanged()
    {
        var first = GeneratorHarness.Run([Adapter, Unrelated], InMemoryAdditionalText.Table("demo", Table));
        var edited = Replace(first.Input, 1, Unrelated.Replace("41", "42", StringComparison.Ordinal));

        var second = GeneratorHarness.Run(first.Driver, edited);

        var steps = second.Result.Results.Single().TrackedSteps;
        AssertReasons(steps, StepNames.Tables, IncrementalStepRunReason.Cached);
        AssertReasons(steps, StepNames.TableSet, IncrementalStepRunReason.Cached);
        AssertReasons(steps, StepNames.Adapters, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertReasons(steps, StepNames.Bound, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertReasons(steps, StepNames.Plans, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertReasons(steps, StepNames.AdapterDiagnostics, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertReasons(second.Result.Results.Single().TrackedOutputSteps, "SourceOutput", IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Test]
    public void Moving_the_adapter_in_its_file_does_not_regenerate_it()
    {
        // Locations change (so the adapter model does) but the plan holds none, so the emitted source is reused.
        var first = GeneratorHarness.Run([Adapter], InMemoryAdditionalText.Table("demo", Table));
        var moved = Replace(first.Input, 0, "// a comment that shifts every line\n\n" + Adapter);

        var second = GeneratorHarness.Run(first.Driver, moved);

        var steps = second.Result.Results.Single().TrackedSteps;
        AssertReasons(steps, StepNames.Adapters, IncrementalStepRunReason.Modified);
        AssertReasons(steps, StepNames.Plans, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertReasons(second.Result.Results.Single().TrackedOutputSteps, "SourceOutput", IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Test]
    public void Editing_a_table_note_regenerates_the_adapter()
    {
        var table = InMemoryAdditionalText.Table("demo", Table);
        var first = GeneratorHarness.Run([Adapter], table);
        var edited = InMemoryAdditionalText.Table("demo", Table.Replace("Not in the demo test provider.", "Absent here.", StringComparison.Ordinal));

        var second = GeneratorHarness.Run(first.Driver.ReplaceAdditionalText(table, edited), first.Input);

        var steps = second.Result.Results.Single().TrackedSteps;
        AssertReasons(steps, StepNames.Tables, IncrementalStepRunReason.Modified);
        AssertReasons(steps, StepNames.Plans, IncrementalStepRunReason.Modified);
        Assert.That(second.Generated("Demo.DemoProvider.Capabilities.g.cs"), Does.Contain("Absent here."));
    }

    private static Compilation Replace(Compilation compilation, int index, string source)
    {
        var old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, old.FilePath));
    }

    private static void AssertReasons(
        IReadOnlyDictionary<string, System.Collections.Immutable.ImmutableArray<IncrementalGeneratorRunStep>> steps,
        string name,
        params IncrementalStepRunReason[] allowed)
    {
        Assert.That(steps.ContainsKey(name), Is.True, $"step {name} was not tracked");
        var reasons = steps[name].SelectMany(step => step.Outputs).Select(output => output.Reason).ToList();
        Assert.That(reasons, Is.Not.Empty, $"step {name} produced no output");
        Assert.That(reasons, Is.All.AnyOf(allowed.Cast<object>().ToArray()), $"step {name} ran for: {string.Join(", ", reasons)}");
    }
}
