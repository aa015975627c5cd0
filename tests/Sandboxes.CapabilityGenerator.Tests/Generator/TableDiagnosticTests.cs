using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>SBX110-SBX114: missing, malformed, duplicated or incomplete tables.</summary>
[TestFixture]
public sealed class TableDiagnosticTests
{
    private static readonly IReadOnlyList<string> All = AdapterSource.CapabilitiesWithMembers;
    private static readonly string Demo = AdapterSource.Create("demo", "DemoProvider", All);

    [Test]
    public void SBX110_adapter_without_a_table()
    {
        var run = GeneratorHarness.Run([Demo]);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX110" }));
        var diagnostic = run.Diagnostics.Single();
        Assert.That(diagnostic.GetMessage(), Does.Contain("add specs/demo/provider.json").And.Contain("AdditionalFiles"));
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("/src/Source0.cs"));
        Assert.That(run.HintNames, Is.Empty);
    }

    private static IEnumerable<TestCaseData> MalformedTables()
    {
        var valid = TableJson.AllNative("demo");
        yield return Case("{ \"id\": \"demo\", ", "is not valid JSON", "truncated JSON");
        yield return Case("[]", "the top level must be a JSON object", "an array");
        yield return Case("{ \"id\": \"demo\", \"displayName\": \"Demo\" }", "property 'capabilities' is required", "no capabilities");
        yield return Case(valid.Replace("\"displayName\"", "\"displayname\"", StringComparison.Ordinal), "unknown property 'displayname'", "misspelt property");
        yield return Case(valid.Replace("\"id\": \"demo\"", "\"id\": \"other\"", StringComparison.Ordinal), "must match the folder", "id differs from folder");
        yield return Case(valid.Replace("\"id\": \"demo\"", "\"id\": \"Demo_1\"", StringComparison.Ordinal), "lower case letters, digits and dashes", "id not lower case");
        yield return Case(valid.Replace("\"pty\": { \"support\": \"native\" }", "\"pty\": { \"support\": \"natve\" }", StringComparison.Ordinal), "use \"native\", \"emulated\" or \"unsupported\"", "unknown support level");
        yield return Case(valid.Replace("\"pty\": { \"support\": \"native\" }", "\"pty\": { \"support\": \"unsupported\" }", StringComparison.Ordinal), "needs a \"note\" saying why it is absent", "gap without a note");
        yield return Case(valid.Replace("\"pty\": { \"support\": \"native\" }", "\"pty\": { \"support\": \"emulated\" }", StringComparison.Ordinal), "needs a \"note\" saying how it is emulated", "emulation without a note");
        yield return Case(valid.Replace("\"pty\": { \"support\": \"native\" }", "\"pty\": \"native\"", StringComparison.Ordinal), "must be an object like", "entry not an object");
        yield return Case(valid.Replace("\"pty\": { \"support\": \"native\" }", "\"pty\": { \"support\": \"native\" }, \"pty\": { \"support\": \"native\" }", StringComparison.Ordinal), "is listed twice", "capability listed twice");
        yield return Case(valid.Replace("\"pty\": { \"support\": \"native\" }", "\"Pty Sessions\": { \"support\": \"native\" }", StringComparison.Ordinal), "must be lower case", "badly formed capability id");
        yield return Case(valid.Replace("\"capabilities\"", "\"defaultBaseUrl\": \"not a url\", \"capabilities\"", StringComparison.Ordinal), "is not an absolute URL", "relative base URL");
        yield return Case(valid.Replace("\"capabilities\"", "\"detectionOrder\": -1, \"capabilities\"", StringComparison.Ordinal), "must be a whole number", "negative detection order");
        yield return Case(valid.Replace("\"capabilities\"", "\"credentials\": { \"environment\": \"E2B_API_KEY\" }, \"capabilities\"", StringComparison.Ordinal), "credentials.environment must be an array of strings", "credentials not an array");

        static TestCaseData Case(string json, string message, string name) => new TestCaseData(json, message).SetName("SBX111 " + name);
    }

    [TestCaseSource(nameof(MalformedTables))]
    public void SBX111_malformed_table(string json, string message)
    {
        var run = GeneratorHarness.Run(Demo, InMemoryAdditionalText.Table("demo", json));

        var malformed = run.WithId("SBX111");
        Assert.That(malformed, Is.Not.Empty);
        Assert.That(malformed.Select(d => d.GetMessage()), Has.Some.Contain(message));
        Assert.That(malformed.Select(d => d.Location.GetLineSpan().Path), Is.All.EqualTo("/specs/demo/provider.json"));
        Assert.That(run.HintNames, Is.Empty, "nothing is generated from a malformed table");
    }

    [Test]
    public void SBX111_points_at_the_offending_entry()
    {
        var json = TableJson.AllNative("demo").Replace("\"pty\": { \"support\": \"native\" }", "\"pty\": { \"support\": \"natve\" }", StringComparison.Ordinal);
        var expectedLine = json.Split('\n').ToList().FindIndex(l => l.Contains("natve", StringComparison.Ordinal));

        var run = GeneratorHarness.Run(Demo, InMemoryAdditionalText.Table("demo", json));

        var span = run.WithId("SBX111").Single().Location.GetLineSpan();
        Assert.That(span.StartLinePosition.Line, Is.EqualTo(expectedLine));
        Assert.That(json.Split('\n')[expectedLine].Substring(span.StartLinePosition.Character), Does.StartWith("\"support\""));
    }

    [Test]
    public void SBX111_invalid_json_is_located_where_the_reader_stopped()
    {
        var run = GeneratorHarness.Run(Demo, InMemoryAdditionalText.Table("demo", "{\n  \"id\": \"demo\",\n  \"displayName\": oops\n}"));

        Assert.That(run.WithId("SBX111").Single().Location.GetLineSpan().StartLinePosition.Line, Is.EqualTo(2));
        Assert.That(run.WithId("SBX110"), Is.Empty.Or.Count.EqualTo(1), "the adapter may also report that no valid table names it");
    }

    [Test]
    public void Malformed_table_with_a_readable_id_does_not_also_report_it_missing()
    {
        var json = TableJson.AllNative("demo").Replace("\"displayName\"", "\"displayname\"", StringComparison.Ordinal);

        var run = GeneratorHarness.Run(Demo, InMemoryAdditionalText.Table("demo", json));

        Assert.That(run.Ids, Has.Member("SBX111").And.No.Member("SBX110"));
    }

    [Test]
    public void SBX112_two_tables_share_an_id()
    {
        var json = TableJson.AllNative("demo");
        var run = GeneratorHarness.Run([Demo], InMemoryAdditionalText.Table("demo", json), new InMemoryAdditionalText("/vendor/demo/provider.json", json));

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX112" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("keep one table per provider"));
    }

    [Test]
    public void SBX113_unknown_capability_is_located_at_its_key()
    {
        var json = TableJson.Create("demo", TableJson.Doable, extraCapabilities: "    \"ptyy\": { \"support\": \"native\" }");

        var run = GeneratorHarness.Run(Demo, InMemoryAdditionalText.Table("demo", json));

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX113" }));
        var diagnostic = run.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.GetMessage(), Does.Contain("'ptyy'").And.Contain("known: lifecycle, labels").And.Contain("Sandboxes.Capability.Ids"));
        var span = diagnostic.Location.GetLineSpan();
        Assert.That(json.Split('\n')[span.StartLinePosition.Line].Substring(span.StartLinePosition.Character), Does.StartWith("\"ptyy\""));
    }

    [Test]
    public void SBX114_unlisted_capabilities_warn_and_count_as_unsupported()
    {
        string[] implemented = All.Where(c => c != "pty").ToArray();
        var json = TableJson.Create("demo", TableJson.KnownIds, omit: ["pty", "files.watch"]);

        var run = GeneratorHarness.Run(AdapterSource.Create("demo", "DemoProvider", implemented), InMemoryAdditionalText.Table("demo", json));

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX114" }));
        var diagnostic = run.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Warning));
        Assert.That(diagnostic.GetMessage(), Does.Contain("does not list files.watch, pty").Or.Contain("does not list pty, files.watch"));
        Assert.That(run.Generated("Demo.DemoProvider.Capabilities.g.cs"), Does.Contain("override").And.Contain("CreatePtyAsync"));
        Assert.That(run.CompilationErrors, Is.Empty);
    }
}
