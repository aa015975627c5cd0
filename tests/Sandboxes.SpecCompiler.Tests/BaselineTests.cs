using System.Text;
using NUnit.Framework;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// Text baselines of the code generated for small hand-written specs, one per construct family. The generated code must
/// also compile cleanly. Set <c>SANDBOXES_UPDATE_BASELINES=1</c> to rewrite the baselines after an intended change.
/// </summary>
[TestFixture]
public sealed class BaselineTests
{
    public static readonly string[] Specs = ["enums.yaml", "composition.yaml", "openapi31.json", "swagger2.json", "operations.yaml"];

    private static string SourceDirectory => Path.Combine(Testing.Requires.RepositoryRoot, "tests", "Sandboxes.SpecCompiler.Tests", "Baselines");

    [TestCaseSource(nameof(Specs))]
    public void Generated_code_matches_its_baseline(string spec)
    {
        var path = Path.Combine(SourceDirectory, spec);
        var run = GeneratorHarness.Run([new SpecFile("/baselines/" + spec, File.ReadAllText(path), new Dictionary<string, string> { ["Namespace"] = "Baseline" })]);
        // operations.yaml has a cookie parameter, which Refit cannot send: documented as SBX006 (send it from a handler).
        var expected = spec == "operations.yaml" ? new[] { "SBX006" } : [];
        Assert.That(run.GeneratorWarnings.Select(d => d.Id), Is.EqualTo(expected), GeneratorHarness.Describe(run.GeneratorWarnings));
        Assert.That(run.CompileProblems, Is.Empty, GeneratorHarness.Describe(run.CompileProblems));

        var actual = new StringBuilder();
        foreach (var (hint, source) in run.Sources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            actual.Append("//// ").Append(hint).Append('\n').Append(source.Replace("\r\n", "\n", StringComparison.Ordinal));
        }

        var baselinePath = Path.ChangeExtension(path, ".generated.txt");
        if (Environment.GetEnvironmentVariable("SANDBOXES_UPDATE_BASELINES") == "1" || !File.Exists(baselinePath))
        {
            File.WriteAllText(baselinePath, actual.ToString());
            if (!File.Exists(baselinePath + ".new"))
            {
                Assert.Warn($"Baseline written: {baselinePath}");
            }
        }

        Assert.That(actual.ToString(), Is.EqualTo(File.ReadAllText(baselinePath).Replace("\r\n", "\n", StringComparison.Ordinal)), $"{spec} differs from {baselinePath}");
    }
}
