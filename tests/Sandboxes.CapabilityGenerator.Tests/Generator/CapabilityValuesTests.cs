using System.Reflection;
using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>
/// The capability values come from the id constants alone: one static value per constant and the list of them all, in
/// declaration order; a marked class that cannot receive them is SBX133.
/// </summary>
[TestFixture]
public sealed class CapabilityValuesTests
{
    private const string Marker = """
        namespace Sandboxes.Providers
        {
            [global::System.AttributeUsage(global::System.AttributeTargets.Class)]
            internal sealed class CapabilityIdsAttribute : global::System.Attribute { }
        }

        """;

    private static string Source(string declaration = "public readonly partial struct") => Marker + "namespace Demo\n{\n" + declaration + """
         Feature
        {
            public Feature(string id) => Id = id;

            public string Id { get; }

            [global::Sandboxes.Providers.CapabilityIds]
            public static class Ids
            {
                /// <summary>Second in the alphabet, first here.</summary>
                public const string Watch = "files.watch";
                public const string Alpha = "alpha";
                internal const string Hidden = "hidden";
                public const int NotAnId = 3;
            }
        }
        }
        """;

    [Test]
    public void Each_id_constant_gets_a_value_and_the_list_keeps_their_order()
    {
        var run = GeneratorHarness.Run([Source()]);

        Assert.That(run.Diagnostics, Is.Empty);
        Assert.That(run.CompilationErrors, Is.Empty);
        Assert.That(run.HintNames, Is.EqualTo(new[] { "Demo.Feature.Values.g.cs" }));
        Baseline.AssertMatches(run.Generated("Demo.Feature.Values.g.cs"), "Feature.Values.g.cs.txt");
    }

    [Test]
    public void SBX133_ids_nested_in_a_type_that_is_not_partial()
    {
        var run = GeneratorHarness.Run([Source("public readonly struct")]);

        Assert.That(run.Ids, Is.EqualTo(new[] { "SBX133" }));
        Assert.That(run.Diagnostics.Single().GetMessage(), Does.Contain("must be declared 'partial'"));
        Assert.That(run.HintNames, Is.Empty);
    }

    [Test]
    public void The_librarys_values_are_its_constants_in_declaration_order()
    {
        var constants = typeof(Capability.Ids).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToList();

        Assert.That(Capability.WellKnown.Select(c => c.Id), Is.EqualTo(constants.Select(f => (string)f.GetRawConstantValue()!)));
        foreach (var constant in constants)
        {
            var value = (Capability)typeof(Capability).GetProperty(constant.Name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            Assert.That(value.Id, Is.EqualTo(constant.GetRawConstantValue()), constant.Name);
        }
    }
}
