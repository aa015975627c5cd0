using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.CapabilityGenerator.Tests.Runtime;

/// <summary>
/// The capability matrices of the README (the table alone) and of docs/capabilities.md (with every entry's note) are
/// rendered from the tables; this test fails when either disagrees with them. To refresh both after editing a table,
/// run the tests with <c>SANDBOXES_UPDATE_README=1</c> (see <see cref="UpdateCommand"/>).
/// </summary>
[TestFixture]
public sealed class ReadmeMatrixTests
{
    public const string Start = "<!-- capability-matrix:start -->";
    public const string End = "<!-- capability-matrix:end -->";
    public const string UpdateVariable = "SANDBOXES_UPDATE_README";
    public const string UpdateCommand = "SANDBOXES_UPDATE_README=1 dotnet test tests/Sandboxes.CapabilityGenerator.Tests --filter ReadmeMatrix";

    /// <summary>The section as it must appear between (and including) the markers.</summary>
    public static string Section(bool withNotes)
    {
        var descriptors = TableFiles.Specs.Select(TableFiles.Parse).Select(TableFiles.ToDescriptor);
        var markdown = new CapabilityMatrix(descriptors).ToMarkdown(new CapabilityMatrixOptions { IncludeNotes = withNotes });
        return Start + "\n<!-- Generated from specs/*/provider.json; edit the tables, then run: " + UpdateCommand + " -->\n\n"
               + markdown + End;
    }

    [TestCase("README.md", false)]
    [TestCase("docs/capabilities.md", true)]
    public void ReadmeMatrix_matches_the_tables(string file, bool withNotes)
    {
        var path = Path.Combine(Requires.RepositoryRoot, file);
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = text.IndexOf(Start, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.That(start >= 0 && end > start, Is.True, $"{file} needs a section between {Start} and {End}.");

        var current = text.Substring(start, end + End.Length - start);
        var expected = Section(withNotes);
        if (current != expected && Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, text.Substring(0, start) + expected + text.Substring(end + End.Length));
            current = expected;
        }

        Assert.That(current, Is.EqualTo(expected),
            $"{file}'s capability matrix disagrees with specs/*/provider.json. Regenerate it with: " + UpdateCommand);
    }
}
