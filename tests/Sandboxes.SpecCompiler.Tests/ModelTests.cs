using System.Collections;
using System.Reflection;
using Microsoft.OpenApi;
using NUnit.Framework;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Parsing;
using Sandboxes.SpecCompiler.Tests.Support;

namespace Sandboxes.SpecCompiler.Tests;

/// <summary>
/// The compiler's models (what the parser hands the emitter) hold nothing of Microsoft.OpenApi's object model, only names,
/// types and flags, and compare by value: the emitter cannot depend on how a document was read, and a spec read twice
/// gives the same model (the output is deterministic).
/// </summary>
[TestFixture]
public sealed class ModelTests
{
    private static readonly Type[] Forbidden = [typeof(OpenApiDocument), typeof(IOpenApiSchema), typeof(IOpenApiParameter), typeof(IOpenApiElement), typeof(OpenApiOperation)];

    [Test]
    public void Model_types_hold_no_openapi_objects()
    {
        var visited = new HashSet<Type>();
        var problems = new List<string>();
        Walk(typeof(ParseResult), visited, problems, "ParseResult");
        Walk(typeof(SpecRequest), visited, problems, "SpecRequest");
        Assert.That(problems, Is.Empty);
        Assert.That(visited, Does.Contain(typeof(TypeModel)).And.Contain(typeof(OperationModel)).And.Contain(typeof(TypeRef)));
    }

    [Test]
    public void A_parsed_vendor_model_holds_no_openapi_objects_and_equals_a_second_parse()
    {
        var spec = SpecFile.FromRepository("specs/e2b/openapi.yml");
        var request = new SpecRequest(spec.Path, "E2B.g.cs", null, null, null, default, default, default, null, "App");
        var first = SpecParser.Parse(request);
        var second = SpecParser.Parse(request);

        Assert.That(first.Api, Is.Not.Null);
        Assert.That(first, Is.EqualTo(second));
        Assert.That(first.GetHashCode(), Is.EqualTo(second.GetHashCode()));

        var problems = new List<string>();
        WalkValue(first, new HashSet<object>(ReferenceEqualityComparer.Instance), problems, "result");
        Assert.That(problems, Is.Empty);
    }

    private static void Walk(Type type, HashSet<Type> visited, List<string> problems, string path)
    {
        if (type.IsPrimitive || type == typeof(string) || type.IsEnum || !visited.Add(type))
        {
            return;
        }

        if (Forbidden.Any(f => f.IsAssignableFrom(type)))
        {
            problems.Add($"{path}: {type.Name}");
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Walk(argument, visited, problems, path + "<" + argument.Name + ">");
            }
        }

        if (type.Namespace?.StartsWith("Sandboxes.Generators", StringComparison.Ordinal) != true)
        {
            return;
        }

        Assert.That(typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type), Is.True, $"{path}: {type.Name} is not equatable");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            Walk(property.PropertyType, visited, problems, path + "." + property.Name);
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            Walk(field.FieldType, visited, problems, path + "." + field.Name);
        }
    }

    private static void WalkValue(object? value, HashSet<object> seen, List<string> problems, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        if (Forbidden.Any(f => f.IsInstanceOfType(value)))
        {
            problems.Add($"{path}: {value.GetType().Name}");
            return;
        }

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                WalkValue(item, seen, problems, $"{path}[{i++}]");
            }

            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            WalkValue(property.GetValue(value), seen, problems, path + "." + property.Name);
        }
    }
}
