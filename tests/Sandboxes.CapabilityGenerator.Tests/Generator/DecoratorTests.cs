using Microsoft.CodeAnalysis;
using NUnit.Framework;
using Sandboxes.Generators.Capabilities;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>
/// The forwarding decorator: a forward of every contract member the class does not write itself, from what each member's
/// [ProviderCapability] declares (SBX130-SBX132 when that cannot be done), and an incremental pipeline.
/// </summary>
[TestFixture]
public sealed class DecoratorTests
{
    private const string HintName = "Demo.DemoDecorator.Forwarding.g.cs";

    // A create written by hand, as the resilient decorator writes its own: it gets no forward.
    private const string HandWrittenCreate = """
            public override global::System.Threading.Tasks.Task<global::Sandboxes.SandboxInfo> CreateSandboxAsync(global::Sandboxes.CreateSandboxRequest request,
                global::System.Threading.CancellationToken cancellationToken) => Inner.CreateSandboxAsync(request, cancellationToken);

        """;

    [Test]
    public void Every_contract_member_not_written_by_hand_is_forwarded_as_declared()
    {
        var run = GeneratorHarness.Run([DecoratorSource.Create(HandWrittenCreate)]);

        Assert.That(run.Diagnostics, Is.Empty);
        Assert.That(run.CompilationErrors, Is.Empty, "the forwards override every abstract member left");
        Assert.That(run.HintNames, Is.EqualTo(new[] { HintName }));
        var generated = run.Generated(HintName);
        Assert.That(generated, Does.Not.Contain("CreateSandboxAsync"), "the hand-written override is left alone");
        Baseline.AssertMatches(generated, "DemoDecorator.Forwarding.g.cs.txt");
    }

    [Test]
    public void A_live_operation_keeps_the_callers_token_and_a_quick_one_gets_the_pipelines()
    {
        var generated = GeneratorHarness.Run([DecoratorSource.Create(HandWrittenCreate)]).Generated(HintName);

        Assert.That(generated, Does.Contain(
            "=> ForwardAsync(\"files.read\", true, global::Sandboxes.Providers.OperationTiming.Live, _ => Inner.OpenReadAsync(sandboxId, path, cancellationToken), cancellationToken);"));
        Assert.That(generated, Does.Contain(
            "=> ForwardAsync(\"get\", true, global::Sandboxes.Providers.OperationTiming.Quick, ct => Inner.GetSandboxAsync(sandboxId, ct), cancellationToken);"));
        Assert.That(generated, Does.Contain(
            "=> ForwardStream(\"command.attach\", true, Inner.AttachCommandAsync(sandboxId, handleId, cancellationToken), cancellationToken);"));
        Assert.That(generated, Does.Contain("=> ForwardAsync(\"command.start\", false, "), "not idempotent unless declared so");
    }

    [Test]
    public void SBX130_a_decorator_that_is_not_partial()
    {
        var run = GeneratorHarness.Run([DecoratorSource.Create(HandWrittenCreate, declaration: "internal sealed class")]);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX130" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("must be declared 'partial'"));
        Assert.That(run.HintNames, Is.Empty);
    }

    [Test]
    public void SBX130_a_decorator_that_is_not_a_provider()
    {
        var source = DecoratorSource.Marker + "namespace Demo { [global::Sandboxes.Providers.ForwardingDecorator] internal sealed partial class DemoDecorator { } }";

        var run = GeneratorHarness.Run([source]);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX130" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("must derive from Sandboxes.Providers.SandboxProvider"));
    }

    [Test]
    public void SBX131_a_contract_member_without_an_operation_name_is_located_at_the_member()
    {
        var run = GeneratorHarness.Run([ExtendedContract("[global::Sandboxes.Providers.ProviderCapability(\"extra\")]\n    public abstract global::System.Threading.Tasks.Task ExtraAsync(global::System.Threading.CancellationToken cancellationToken);"),
            DecoratorSource.Create(HandWrittenCreate, baseType: "global::Demo.ExtendedProvider", marker: string.Empty)]);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX131" }));
        var diagnostic = run.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.GetMessage(), Does.Contain("'ExtraAsync'").And.Contain("declares no Operation"));
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("/src/Source0.cs"), "at the contract member");
        Assert.That(run.Generated(HintName), Does.Not.Contain("ExtraAsync"));
    }

    [Test]
    public void A_member_added_to_the_contract_with_its_operation_is_forwarded_with_no_edit_of_the_decorator()
    {
        var run = GeneratorHarness.Run([ExtendedContract("[global::Sandboxes.Providers.ProviderCapability(\"extra\", Operation = \"extra.watch\", Idempotent = true, Timing = global::Sandboxes.Providers.OperationTiming.Unbounded)]\n    public abstract global::System.Threading.Tasks.Task<int> ExtraAsync(string path, global::System.Threading.CancellationToken ct);"),
            DecoratorSource.Create(HandWrittenCreate, baseType: "global::Demo.ExtendedProvider", marker: string.Empty)]);

        Assert.That(run.Diagnostics, Is.Empty);
        Assert.That(run.CompilationErrors, Is.Empty);
        Assert.That(run.Generated(HintName), Does.Contain(
            "=> ForwardAsync(\"extra.watch\", true, global::Sandboxes.Providers.OperationTiming.Unbounded, _ct => Inner.ExtraAsync(path, _ct), ct);"),
            "the lambda's parameter does not shadow the member's own 'ct'");
    }

    [Test]
    public void SBX132_a_contract_member_without_a_token_cannot_be_forwarded()
    {
        var run = GeneratorHarness.Run([ExtendedContract("[global::Sandboxes.Providers.ProviderCapability(\"extra\", Operation = \"extra\")]\n    public abstract global::System.Threading.Tasks.Task ExtraAsync();"),
            DecoratorSource.Create(HandWrittenCreate, baseType: "global::Demo.ExtendedProvider", marker: string.Empty)]);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX132" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("does not take exactly one CancellationToken").And.Contain("override it in 'DemoDecorator' by hand"));
    }

    [Test]
    public void An_unrelated_edit_re_emits_nothing()
    {
        const string unrelated = "namespace Demo { internal static class Helper { public static int Answer() => 41; } }";
        var first = GeneratorHarness.Run([DecoratorSource.Create(HandWrittenCreate), unrelated]);
        var tree = first.Input.SyntaxTrees.ElementAt(1);
        var edited = first.Input.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(unrelated.Replace("41", "42", StringComparison.Ordinal))));

        var second = GeneratorHarness.Run(first.Driver, edited);

        var result = second.Result.Results.Single();
        foreach (var step in new[] { StepNames.Decorators, StepNames.Forwards, StepNames.DecoratorDiagnostics })
        {
            Assert.That(result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason),
                Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
        }
    }

    /// <summary>A contract deriving from SandboxProvider with one more member, declared first (so in Source0.cs).</summary>
    private static string ExtendedContract(string member) => DecoratorSource.Marker + $$"""
        namespace Demo
        {
        public abstract class ExtendedProvider : global::Sandboxes.Providers.SandboxProvider
        {
            protected ExtendedProvider(global::Sandboxes.ProviderConfig config) : base(config) { }

            {{member}}
        }
        }

        """;
}
