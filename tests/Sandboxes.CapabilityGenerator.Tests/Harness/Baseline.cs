using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>
/// Compares generated text with a file under <c>Baselines/</c>. Run the tests with <c>SANDBOXES_UPDATE_BASELINES=1</c>
/// to rewrite the files after an intended change, then review the diff.
/// </summary>
internal static class Baseline
{
    public const string UpdateVariable = "SANDBOXES_UPDATE_BASELINES";

    public static void AssertMatches(string actual, string name)
    {
        var path = Path.Combine(Requires.RepositoryRoot, "tests", "Sandboxes.CapabilityGenerator.Tests", "Baselines", name);
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.That(File.Exists(path), Is.True, $"Baseline {name} is missing; run the tests with {UpdateVariable}=1 to create it.");
        Assert.That(actual, Is.EqualTo(File.ReadAllText(path).ReplaceLineEndings("\n")),
            $"Generated code differs from Baselines/{name}; if the change is intended, run the tests with {UpdateVariable}=1 and review the diff.");
    }
}
