using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// Prints the generator's time per vendor spec (first run, then the median of warm runs) and the size of what it writes.
/// Explicit: run it with <c>dotnet test tests/Sandboxes.SpecCompiler.Tests --filter Category=Measure</c>; the figures go to
/// the generator README.
/// </summary>
[TestFixture]
[Explicit("A measurement, not a check")]
[Category("Measure")]
public sealed class GeneratorTimingTests
{
    [Test]
    public void Generator_time_per_vendor_spec()
    {
        var lines = new List<string> { "| spec | bytes | first run ms | warm median ms | generated KiB | types | operations |", "|---|---|---|---|---|---|---|" };
        double total = 0;
        foreach (var entry in VendorSpecTests.Specs.Cast<object[]>())
        {
            var path = (string)entry[0];
            var spec = SpecFile.FromRepository(path);
            var compilation = GeneratorHarness.CreateCompilation("namespace App { internal static class P { } }");

            var watch = Stopwatch.StartNew();
            var driver = GeneratorHarness.CreateDriver([spec]).RunGenerators(compilation);
            var first = watch.Elapsed.TotalMilliseconds;

            var warm = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                watch.Restart();
                GeneratorHarness.CreateDriver([spec]).RunGenerators(compilation);
                warm.Add(watch.Elapsed.TotalMilliseconds);
            }

            warm.Sort();
            total += warm[2];
            var sources = driver.GetRunResult().Results.Single().GeneratedSources;
            var text = string.Concat(sources.Select(s => s.SourceText.ToString()));
            var types = text.Split('\n').Count(l => l.Contains(" partial record ", StringComparison.Ordinal) || l.Contains(" partial struct ", StringComparison.Ordinal) || l.Contains(" partial class ", StringComparison.Ordinal));
            var operations = text.Split('\n').Count(l => l.TrimStart().StartsWith("public virtual", StringComparison.Ordinal) && l.Contains("Async(", StringComparison.Ordinal) && !l.Contains("WithResponseAsync(", StringComparison.Ordinal));
            lines.Add($"| {path} | {spec.Text.Length} | {first:F0} | {warm[2]:F0} | {text.Length / 1024} | {types} | {operations} |");
        }

        lines.Add($"| all {VendorSpecTests.Specs.Length} specs | | | {total:F0} | | | |");
        TestContext.Out.WriteLine(string.Join("\n", lines));
        Assert.That(total, Is.GreaterThan(0));
    }
}
