using System.CodeDom.Compiler;
using System.Reflection;
using NUnit.Framework;
using Sandboxes.Providers;

namespace Sandboxes.Tests.HighLevel;

/// <summary>
/// Every operation of the contract says how it may be called (name, idempotency, timing), and the resilient decorator
/// routes each one: through a generated forward, or through the few overrides written by hand.
/// </summary>
[TestFixture]
public sealed class OperationDeclarationTests
{
    private static readonly MethodInfo[] Contract = typeof(SandboxProvider)
        .GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .Where(m => m.GetCustomAttribute<ProviderCapabilityAttribute>() is not null)
        .ToArray();

    // What a forward cannot express: creation (labels, keys), commands (their own timeout and metrics), writes (rewinding).
    private static readonly string[] HandWritten = ["CreateSandboxAsync", "RunCommandAsync", "StreamCommandAsync", "WriteFileAsync"];

    [Test]
    public void Every_operation_has_a_distinct_name()
    {
        var names = Contract.Select(m => m.GetCustomAttribute<ProviderCapabilityAttribute>()!.Operation).ToList();

        Assert.That(names, Has.None.Null.And.None.Empty);
        Assert.That(names, Is.Unique);
    }

    [Test]
    public void The_resilient_decorator_overrides_every_operation_by_a_generated_forward_unless_written_by_hand()
    {
        foreach (var member in Contract)
        {
            var implementation = typeof(ResilientSandboxProvider).GetMethods(BindingFlags.Instance | BindingFlags.Public)
                .Single(m => m.GetBaseDefinition() == member.GetBaseDefinition());
            Assert.That(implementation.DeclaringType, Is.EqualTo(typeof(ResilientSandboxProvider)), member.Name);
            var generated = implementation.GetCustomAttribute<GeneratedCodeAttribute>() is not null;
            Assert.That(generated, Is.EqualTo(!HandWritten.Contains(member.Name)), member.Name + (generated ? " is generated" : " is written by hand"));
        }
    }
}
