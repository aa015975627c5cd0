using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>SBX100-SBX104: problems with the adapter class itself.</summary>
[TestFixture]
public sealed class AdapterDiagnosticTests
{
    private static readonly InMemoryAdditionalText DemoTable = InMemoryAdditionalText.Table("demo", TableJson.AllNative("demo"));
    private static readonly IReadOnlyList<string> All = AdapterSource.CapabilitiesWithMembers;

    [Test]
    public void SBX100_adapter_that_is_not_partial()
    {
        var run = GeneratorHarness.Run(AdapterSource.Create("demo", "DemoProvider", All, declaration: "internal sealed class"), DemoTable);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX100" }));
        var diagnostic = run.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.GetMessage(), Does.Contain("add the 'partial' modifier"));
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("/src/Source0.cs"));
        Assert.That(run.HintNames, Is.Empty, "nothing can be added to a class that is not partial");
    }

    private static IEnumerable<TestCaseData> InvalidAdapters()
    {
        var members = AdapterSource.Overrides(All);
        yield return new TestCaseData(
            "namespace Demo; [global::Sandboxes.Providers.SandboxProvider(\"demo\")] internal sealed partial class NotAProvider { }",
            "must derive from Sandboxes.Providers.SandboxProvider").SetName("SBX101 not derived from SandboxProvider");
        yield return new TestCaseData(
            "namespace Demo; internal static partial class Outer { [global::Sandboxes.Providers.SandboxProvider(\"demo\")] internal sealed partial class Inner : global::Sandboxes.Providers.SandboxProvider { public Inner(global::Sandboxes.ProviderConfig c) : base(c) { }\n" + members + " } }",
            "must be a top-level class").SetName("SBX101 nested class");
        yield return new TestCaseData(
            "namespace Demo; [global::Sandboxes.Providers.SandboxProvider(\"demo\")] internal sealed partial class GenericProvider<T> : global::Sandboxes.Providers.SandboxProvider { public GenericProvider(global::Sandboxes.ProviderConfig c) : base(c) { }\n" + members + " }",
            "must not be generic").SetName("SBX101 generic class");
        yield return new TestCaseData(
            AdapterSource.Create("demo", "AbstractProvider", All, declaration: "internal abstract partial class"),
            "must be a concrete class").SetName("SBX101 abstract class");
        yield return new TestCaseData(
            AdapterSource.Create("", "NamelessProvider", All),
            "needs the provider id").SetName("SBX101 empty provider id");
    }

    [TestCaseSource(nameof(InvalidAdapters))]
    public void SBX101_class_that_cannot_be_an_adapter(string source, string reason)
    {
        var run = GeneratorHarness.Run(source, DemoTable);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX101" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain(reason));
        Assert.That(run.HintNames, Is.Empty);
    }

    [Test]
    public void SBX102_adapter_without_a_config_constructor_is_not_registered()
    {
        var source = AdapterSource.Create("demo", "DemoProvider", All, constructor: false,
            extraMembers: "    public DemoProvider() : base(new global::Sandboxes.ProviderConfig()) { }\n");

        var run = GeneratorHarness.Run(source, DemoTable);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX102" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("DemoProvider(ProviderConfig config) : base(config)"));
        var generated = run.Generated("Demo.DemoProvider.Capabilities.g.cs");
        Assert.That(generated, Does.Contain("TableDescriptor"));
        Assert.That(generated, Does.Not.Contain("ModuleInitializer"));
        Assert.That(run.CompilationErrors, Is.Empty);
    }

    [Test]
    public void SBX103_descriptor_written_by_hand()
    {
        var source = AdapterSource.Create("demo", "DemoProvider", All,
            extraMembers: "    public override global::Sandboxes.ProviderDescriptor Descriptor => throw new global::System.InvalidOperationException();\n");

        var run = GeneratorHarness.Run(source, DemoTable);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX103" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("delete the hand-written Descriptor"));
        Assert.That(run.Generated("Demo.DemoProvider.Capabilities.g.cs"), Does.Not.Contain("Descriptor =>"));
        Assert.That(run.CompilationErrors, Is.Empty, "the generator must not add a second Descriptor");
    }

    [Test]
    public void SBX104_two_adapters_claim_one_provider_id()
    {
        var first = AdapterSource.Create("demo", "FirstProvider", All);
        var second = AdapterSource.Create("demo", "SecondProvider", All);

        var run = GeneratorHarness.Run([first, second], DemoTable);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX104" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("global::Demo.FirstProvider").And.Contain("global::Demo.SecondProvider"));
    }
}
