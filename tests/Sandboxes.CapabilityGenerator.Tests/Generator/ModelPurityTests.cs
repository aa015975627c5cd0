using System.Reflection;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Sandboxes.CapabilityGenerator.Tests.Generator;

/// <summary>
/// The generator's models must hold only plain, equatable data: a symbol, syntax node or compilation inside a model
/// keeps the whole compilation alive and compares by reference, so the incremental cache would never hit.
/// </summary>
[TestFixture]
public sealed class ModelPurityTests
{
    private static readonly Type[] Forbidden =
    [
        typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location),
        typeof(AttributeData), typeof(SyntaxToken),
    ];

    private static IEnumerable<Type> Models() =>
        GeneratorHarness.GeneratorType.Assembly.GetTypes()
            .Where(t => t.Namespace == "Sandboxes.Generators.Capabilities" && t.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null);

    [Test]
    public void Models_are_records()
    {
        Assert.That(Models().Select(t => t.Name), Is.SupersetOf(new[]
        {
            "AdapterModel", "ContractMember", "ParameterModel", "TableModel", "CapabilityRow", "ProviderInfo", "LocationInfo",
            "DiagnosticInfo", "AdapterPlan", "DescriptorRow", "StubPlan", "BindResult", "DecoratorModel", "ForwardPlan",
        }));
    }

    [TestCaseSource(nameof(Models))]
    public void Model_holds_no_symbol_syntax_or_compilation(Type model)
    {
        var offending = new List<string>();
        Walk(model, model.Name, new HashSet<Type>(), offending);

        Assert.That(offending, Is.Empty);
    }

    private static void Walk(Type type, string path, HashSet<Type> seen, List<string> offending)
    {
        if (!seen.Add(type))
        {
            return;
        }

        if (Forbidden.Any(f => f.IsAssignableFrom(type)))
        {
            offending.Add(path + " is " + type.Name);
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Walk(argument, path + "<" + argument.Name + ">", seen, offending);
            }
        }

        if (type.IsArray)
        {
            Walk(type.GetElementType()!, path + "[]", seen, offending);
        }

        if (type.Assembly != GeneratorHarness.GeneratorType.Assembly)
        {
            return;
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Walk(field.FieldType, path + "." + field.Name, seen, offending);
        }
    }
}
