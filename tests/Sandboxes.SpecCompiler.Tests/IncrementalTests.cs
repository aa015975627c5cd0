using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>Editing C# parses no spec again; editing one spec regenerates only that spec.</summary>
[TestFixture]
public sealed class IncrementalTests
{
    private const string SpecA = "openapi: 3.0.3\ninfo: { title: Alpha, version: '1' }\npaths:\n  /a:\n    get: { operationId: getA, responses: { '204': { description: ok } } }\n";
    private const string SpecB = "openapi: 3.0.3\ninfo: { title: Beta, version: '1' }\npaths:\n  /b:\n    get: { operationId: getB, responses: { '204': { description: ok } } }\n";

    private static readonly string[] TrackedSteps = ["SpecFiles", "ParsedSpecs", "SpecDiagnostics", "SpecModels"];

    [Test]
    public void Editing_csharp_leaves_every_spec_step_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation("namespace App { public class One { } }");
        var driver = GeneratorHarness.CreateDriver([new SpecFile("/specs/a.yaml", SpecA), new SpecFile("/specs/b.yaml", SpecB)]);
        driver = driver.RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { public class Two { } }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();

        foreach (var step in TrackedSteps)
        {
            Assert.That(result.TrackedSteps.ContainsKey(step), Is.True, step);
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.That(reasons, Is.Not.Empty, step);
            Assert.That(reasons, Is.All.Matches<IncrementalStepRunReason>(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), step);
        }

        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(outputs, Is.All.EqualTo(IncrementalStepRunReason.Cached));
    }

    [Test]
    public void Editing_one_spec_regenerates_only_that_spec()
    {
        var compilation = GeneratorHarness.CreateCompilation("namespace App { public class One { } }");
        var driver = GeneratorHarness.CreateDriver([new SpecFile("/specs/a.yaml", SpecA), new SpecFile("/specs/b.yaml", SpecB)], out var texts);
        driver = driver.RunGenerators(compilation);
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources, Has.Length.EqualTo(6));

        driver = driver.ReplaceAdditionalText(texts[0],
            new GeneratorHarness.InMemoryAdditionalText("/specs/a.yaml", SpecA.Replace("getA", "getAlpha", StringComparison.Ordinal)));
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        var parsed = result.TrackedSteps["ParsedSpecs"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(parsed, Is.EquivalentTo(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached }));
        var models = result.TrackedSteps["SpecModels"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(models, Is.EquivalentTo(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached }));
        Assert.That(result.GeneratedSources.Single(s => s.HintName == "Alpha.Client.g.cs").SourceText.ToString(), Does.Contain("GetAlphaAsync"));

        // The source output ran again for Alpha only: Beta's combined input (its model and the unchanged list of client names) is cached.
        var sourceOutputs = result.TrackedOutputSteps["SourceOutput"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(sourceOutputs.Count(r => r == IncrementalStepRunReason.Modified || r == IncrementalStepRunReason.New), Is.EqualTo(1), string.Join(", ", sourceOutputs));
    }

    [Test]
    public void Reformatting_a_spec_without_changing_its_meaning_still_reparses_it_but_keeps_the_output()
    {
        var compilation = GeneratorHarness.CreateCompilation("namespace App { public class One { } }");
        var driver = GeneratorHarness.CreateDriver([new SpecFile("/specs/a.yaml", SpecA)], out var texts);
        driver = driver.RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(texts[0], new GeneratorHarness.InMemoryAdditionalText("/specs/a.yaml", SpecA + "\n# a comment\n"));
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        Assert.That(result.TrackedSteps["ParsedSpecs"].SelectMany(s => s.Outputs).Select(o => o.Reason), Is.EqualTo(new[] { IncrementalStepRunReason.Unchanged }));
        Assert.That(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason), Is.All.EqualTo(IncrementalStepRunReason.Cached));
    }
}
