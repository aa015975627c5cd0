using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>SBX120-SBX122: the adapter and its table disagree.</summary>
[TestFixture]
public sealed class AgreementDiagnosticTests
{
    private static readonly IReadOnlyList<string> All = AdapterSource.CapabilitiesWithMembers;
    private static readonly string[] AllButPty = All.Where(c => c != "pty").ToArray();

    [Test]
    public void SBX120_native_capability_not_implemented()
    {
        var run = GeneratorHarness.Run(AdapterSource.Create("demo", "DemoProvider", AllButPty), InMemoryAdditionalText.Table("demo", TableJson.AllNative("demo")));

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX120" }));
        var diagnostic = run.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.GetMessage(), Is.EqualTo(
            "Provider 'demo' declares capability 'pty' native in its table, but 'DemoProvider' does not implement "
            + "CreatePtyAsync, ResizePtyAsync, KillPtyAsync, ListPtyAsync; implement the member(s), or declare 'pty' unsupported "
            + "to get stubs throwing FeatureNotSupportedException"));
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("/src/Source0.cs"));
    }

    [Test]
    public void SBX120_emulated_capability_not_implemented()
    {
        var json = TableJson.AllNative("demo").Replace("\"pty\": { \"support\": \"native\" }", "\"pty\": { \"support\": \"emulated\", \"note\": \"script(1)\" }", StringComparison.Ordinal);

        var run = GeneratorHarness.Run(AdapterSource.Create("demo", "DemoProvider", AllButPty), InMemoryAdditionalText.Table("demo", json));

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX120" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("'pty' emulated"));
    }

    [Test]
    public void SBX123_a_capability_with_nothing_behind_it_cannot_be_declared_native()
    {
        var withoutOperation = TableJson.KnownIds.Except(TableJson.Doable).ToList();
        Assume.That(withoutOperation, Is.Not.Empty, "every known capability has an operation or a marker now: nothing to declare falsely");
        var table = TableJson.Create("demo", TableJson.Doable.Concat(withoutOperation));

        var run = GeneratorHarness.Run(AdapterSource.Create("demo", "DemoProvider", All), InMemoryAdditionalText.Table("demo", table));

        Assert.That(run.Ids, Is.EqualTo(Enumerable.Repeat("SBX123", withoutOperation.Count)));
        var diagnostic = run.Diagnostics.First();
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.GetMessage(), Does.Contain($"declares capability '{withoutOperation[0]}' native in its table, but no member of SandboxProvider implements"));
        Assert.That(diagnostic.Location.GetLineSpan().Path, Does.EndWith("provider.json"), "located at the table's row");
    }

    [Test]
    public void SBX123_a_request_field_capability_needs_no_member()
    {
        // limits.memory is honoured by CreateSandboxRequest.MemoryMb: native without any member.
        Assert.That(TableJson.Honoured, Does.Contain("limits.memory"));
        var run = GeneratorHarness.Run(AdapterSource.Create("demo", "DemoProvider", All), InMemoryAdditionalText.Table("demo", TableJson.AllNative("demo")));

        Assert.That(run.Ids, Is.Empty);
    }

    [Test]
    public void SBX121_unsupported_capability_implemented_points_at_each_override()
    {
        var source = AdapterSource.Create("demo", "DemoProvider", All);
        var run = GeneratorHarness.Run(source, InMemoryAdditionalText.Table("demo", TableJson.Create("demo", AllButPty.Concat(TableJson.Honoured))));

        Assert.That(run.Ids, Is.EqualTo(Enumerable.Repeat("SBX121", 4)));
        var lines = source.Split('\n');
        foreach (var diagnostic in run.Diagnostics)
        {
            Assert.That(diagnostic.GetMessage(), Does.Contain("declares unsupported; declare 'pty' native or emulated in the table, or delete the override"));
            var line = lines[diagnostic.Location.GetLineSpan().StartLinePosition.Line];
            Assert.That(line, Does.Contain("Pty"), "the location is the override itself");
        }

        Assert.That(run.Generated("Demo.DemoProvider.Capabilities.g.cs"), Does.Not.Contain("PtyAsync("), "no stub may collide with the adapter's override");
    }

    [Test]
    public void SBX122_member_sealed_in_a_base_class_cannot_be_stubbed()
    {
        const string shared = """
            namespace Demo;
            internal abstract class SharedBase(global::Sandboxes.ProviderConfig config) : global::Sandboxes.Providers.SandboxProvider(config)
            {
                public sealed override global::System.Threading.Tasks.Task<global::Sandboxes.PtySession> CreatePtyAsync(string sandboxId, global::Sandboxes.CreatePtyRequest request, global::System.Threading.CancellationToken cancellationToken) => throw new global::System.NotImplementedException();
            }
            """;
        var adapter = AdapterSource.Create("demo", "DemoProvider", AllButPty, baseType: "SharedBase");
        var table = TableJson.Create("demo", AllButPty.Concat(TableJson.Honoured));

        var run = GeneratorHarness.Run([shared, adapter], InMemoryAdditionalText.Table("demo", table));

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX122" }));
        Assert.That(run.Diagnostics.Single().Severity, Is.EqualTo(DiagnosticSeverity.Warning));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("'CreatePtyAsync'").And.Contain("a base class seals its implementation"));
        var generated = run.Generated("Demo.DemoProvider.Capabilities.g.cs");
        Assert.That(generated, Does.Contain("ResizePtyAsync(").And.Not.Contain("CreatePtyAsync("));
        Assert.That(run.CompilationErrors, Is.Empty);
    }

    [Test]
    public void Base_class_implementation_satisfies_a_native_capability_and_is_replaced_by_a_stub_when_unsupported()
    {
        var shared = "namespace Demo;\ninternal abstract class SharedBase(global::Sandboxes.ProviderConfig config) : global::Sandboxes.Providers.SandboxProvider(config)\n{\n"
                     + AdapterSource.Overrides(["pty"]) + "}\n";
        var adapter = AdapterSource.Create("demo", "DemoProvider", AllButPty, baseType: "SharedBase");

        var native = GeneratorHarness.Run([shared, adapter], InMemoryAdditionalText.Table("demo", TableJson.AllNative("demo")));
        var unsupported = GeneratorHarness.Run([shared, adapter], InMemoryAdditionalText.Table("demo", TableJson.Create("demo", AllButPty.Concat(TableJson.Honoured))));

        Assert.That(native.Diagnostics, Is.Empty);
        Assert.That(native.Generated("Demo.DemoProvider.Capabilities.g.cs"), Does.Not.Contain("PtyAsync("));
        Assert.That(unsupported.Diagnostics, Is.Empty);
        Assert.That(unsupported.Generated("Demo.DemoProvider.Capabilities.g.cs"), Does.Contain("public override global::System.Threading.Tasks.Task<global::Sandboxes.PtySession> CreatePtyAsync("));
        Assert.That(unsupported.CompilationErrors, Is.Empty);
    }

    [Test]
    public void Every_descriptor_has_a_stable_id_one_category_and_a_message_saying_what_to_do()
    {
        var descriptors = Sandboxes.Generators.Capabilities.CapabilityDiagnostics.Descriptors;

        Assert.That(descriptors.Select(d => d.Id), Is.Unique.And.All.Match("^SBX1[0-9][0-9]$"));
        Assert.That(descriptors.Select(d => d.Category), Is.All.EqualTo("Sandboxes.Capabilities"));
        Assert.That(descriptors.Select(d => d.MessageFormat.ToString()), Is.All.Match(";|:"), "a message names the problem, then the fix");
    }
}
