using System.Diagnostics;
using NUnit.Framework;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// Prints the spec compiler's time per vendor spec (in process: reading with Microsoft.OpenApi, parsing and emitting; first
/// run, then the median of warm runs) and the size of what it writes.
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
            var request = new Sandboxes.Generators.Model.SpecRequest(spec.Path, "out.g.cs", null, null, null, default, default, default, null, "App");

            var watch = Stopwatch.StartNew();
            var text = Sandboxes.Generators.SpecCompilation.Compile([request]).Single().Source ?? string.Empty;
            var first = watch.Elapsed.TotalMilliseconds;

            var warm = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                watch.Restart();
                Sandboxes.Generators.SpecCompilation.Compile([request]);
                warm.Add(watch.Elapsed.TotalMilliseconds);
            }

            warm.Sort();
            total += warm[2];
            var types = text.Split('\n').Count(l => l.Contains(" partial record ", StringComparison.Ordinal) || l.Contains(" partial struct ", StringComparison.Ordinal) || l.Contains(" partial class ", StringComparison.Ordinal));
            // The interface's methods, without the WithResponse twins.
            var operations = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(text).GetRoot().DescendantNodes()
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax>()
                .SelectMany(i => i.Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
                .Count(m => !m.Identifier.Text.EndsWith("WithResponseAsync", StringComparison.Ordinal));
            lines.Add($"| {path} | {spec.Text.Length} | {first:F0} | {warm[2]:F0} | {text.Length / 1024} | {types} | {operations} |");
        }

        lines.Add($"| all {VendorSpecTests.Specs.Length} specs | | | {total:F0} | | | |");
        TestContext.Out.WriteLine(string.Join("\n", lines));
        Assert.That(total, Is.GreaterThan(0));
    }
}
