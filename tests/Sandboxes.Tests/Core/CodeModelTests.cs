using System.Text.Json;
using NUnit.Framework;

namespace Sandboxes.Tests.Core;

/// <summary>Languages, MIME bundles and execution results: the values callers read.</summary>
public sealed class CodeModelTests
{
    [TestCase("py", "python")]
    [TestCase("Python3", "python")]
    [TestCase("node", "javascript")]
    [TestCase("JS", "javascript")]
    [TestCase("ts", "typescript")]
    [TestCase("golang", "go")]
    [TestCase("rs", "rust")]
    [TestCase("rb", "ruby")]
    [TestCase("shell", "bash")]
    [TestCase("perl", "perl")]
    public void Aliases_fold_into_one_language(string alias, string id)
    {
        CodeLanguage language = alias;

        Assert.That(language.Id, Is.EqualTo(id));
        Assert.That(language == new CodeLanguage(id), Is.True);
    }

    [TestCase("script.py", "python")]
    [TestCase("app.mjs", "javascript")]
    [TestCase("x.ts", "typescript")]
    [TestCase("main.go", "go")]
    [TestCase("main.rs", "rust")]
    [TestCase("t.rb", "ruby")]
    [TestCase("run.sh", "bash")]
    public void A_file_extension_names_its_language(string file, string id)
    {
        Assert.That(CodeLanguage.FromFileExtension(file)?.Id, Is.EqualTo(id));
    }

    [Test]
    public void An_unknown_extension_names_no_language()
    {
        Assert.That(CodeLanguage.FromFileExtension("notes.txt"), Is.Null);
        Assert.That(default(CodeLanguage).Id, Is.EqualTo("python"), "the default language");
    }

    [Test]
    public void A_bundle_decodes_images_and_joins_lines()
    {
        var bundle = Bundle("""{"image/png": "iVBORw0K\nGgo=", "text/html": ["<b>", "x</b>"], "application/json": {"k": [1, 2]}}""");

        Assert.That(bundle.Png, Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        Assert.That(bundle.Html, Is.EqualTo("<b>x</b>"));
        Assert.That(bundle.Json!.Value.GetProperty("k")[1].GetInt32(), Is.EqualTo(2));
        Assert.That(bundle.Text, Is.Null);
        Assert.That(bundle.Formats, Is.EquivalentTo(new[] { "image/png", "text/html", "application/json" }));
    }

    [Test]
    public void A_result_finds_each_format_in_the_main_result_first()
    {
        var display = Bundle("""{"text/html": "<i>shown</i>", "image/png": "iVBORw0KGgo="}""");
        var main = new MimeBundle(Bundle("""{"text/plain": "20", "text/html": "<b>20</b>"}""").Data, isMainResult: true);
        var result = new ExecutionResult { Results = [display, main] };

        Assert.That(result.Text, Is.EqualTo("20"));
        Assert.That(result.Html, Is.EqualTo("<b>20</b>"));
        Assert.That(result.Png, Has.Length.EqualTo(8));
        Assert.That(result.Succeeded, Is.True);
        Assert.That((result with { Error = new ExecutionError("ValueError", "bad", "") }).Succeeded, Is.False);
    }

    private static MimeBundle Bundle(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new MimeBundle(document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()));
    }
}
