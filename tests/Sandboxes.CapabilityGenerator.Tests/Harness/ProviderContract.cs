using System.CodeDom.Compiler;
using System.Reflection;
using Sandboxes.Providers;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>The provider contract seen by reflection: which members belong to a capability, and what an adapter put there.</summary>
internal static class ProviderContract
{
    /// <summary>The tool name the generator writes in <see cref="GeneratedCodeAttribute"/> on every stub.</summary>
    public const string GeneratorTool = "Sandboxes.CapabilityGenerator";

    private static readonly IReadOnlyList<MethodInfo> Members = typeof(SandboxProvider)
        .GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .Where(m => m.GetCustomAttribute<ProviderCapabilityAttribute>() is not null)
        .ToList();

    /// <summary>The contract members tied to a capability (none for request-field capabilities such as limits.cpu).</summary>
    public static IReadOnlyList<MethodInfo> MembersOf(string capability) =>
        Members.Where(m => m.GetCustomAttribute<ProviderCapabilityAttribute>()!.Capability == capability).ToList();

    /// <summary>The method that runs when <paramref name="member"/> is called on an instance of <paramref name="adapter"/>.</summary>
    /// <remarks>Type.GetMethods lists only the most derived override of a virtual method, which is the one that runs.</remarks>
    public static MethodInfo ImplementationOf(Type adapter, MethodInfo member) =>
        adapter.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Single(m => m.GetBaseDefinition() == member.GetBaseDefinition());

    /// <summary>True when the method is a stub the capability generator emitted.</summary>
    public static bool IsGeneratedStub(MethodInfo method) =>
        method.GetCustomAttribute<GeneratedCodeAttribute>()?.Tool == GeneratorTool;

    /// <summary>Calls a member with default arguments, unwrapping the reflection wrapper around what it throws.</summary>
    public static object? Invoke(SandboxProvider adapter, MethodInfo member)
    {
        var arguments = member.GetParameters().Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
        try
        {
            return member.Invoke(adapter, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
