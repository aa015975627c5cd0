using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.CapabilityGenerator.Tests.Runtime;

/// <summary>
/// The README's provider matrix is rendered from the tables; this test fails when they disagree. To refresh the README
/// after editing a table, run the tests with <c>SANDBOXES_UPDATE_README=1</c> (see <see cref="UpdateCommand"/>).
/// </summary>
[TestFixture]
public sealed class ReadmeMatrixTests
{
    public const string Start = "<!-- capability-matrix:start -->";
    public const string End = "<!-- capability-matrix:end -->";
    public const string UpdateVariable = "SANDBOXES_UPDATE_README";
    public const string UpdateCommand = "SANDBOXES_UPDATE_README=1 dotnet test tests/Sandboxes.CapabilityGenerator.Tests --filter ReadmeMatrix";

    /// <summary>The section as it must appear between (and including) the markers.</summary>
    public static string Section()
    {
        var descriptors = TableFiles.Specs.Select(TableFiles.Parse).Select(TableFiles.ToDescriptor);
        var markdown = new CapabilityMatrix(descriptors).ToMarkdown();
        return Start + "\n<!-- Generated from specs/*/provider.json; edit the tables, then run: " + UpdateCommand + " -->\n\n"
               + markdown + End;
    }

    [Test]
    public void ReadmeMatrix_matches_the_tables()
    {
        var path = Path.Combine(Requires.RepositoryRoot, "README.md");
        var readme = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = readme.IndexOf(Start, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.That(start >= 0 && end > start, Is.True, $"README.md needs a section between {Start} and {End}.");

        var current = readme.Substring(start, end + End.Length - start);
        var expected = Section();
        if (current != expected && Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, readme.Substring(0, start) + expected + readme.Substring(end + End.Length));
            current = expected;
        }

        Assert.That(current, Is.EqualTo(expected),
            "README.md's capability matrix disagrees with specs/*/provider.json. Regenerate it with: " + UpdateCommand);
    }
}
