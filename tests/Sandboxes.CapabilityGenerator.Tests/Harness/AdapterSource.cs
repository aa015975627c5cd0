using System.Text;
using Microsoft.CodeAnalysis;
using Sandboxes.Generators.Capabilities;

namespace Sandboxes.CapabilityGenerator.Tests;

/// <summary>Writes adapter classes for generator tests, implementing the contract members of chosen capabilities.</summary>
internal static class AdapterSource
{
    private static readonly Lazy<IReadOnlyList<IMethodSymbol>> ContractMembers = new(() =>
    {
        var provider = GeneratorHarness.Compilation().GetTypeByMetadataName("Sandboxes.Providers.SandboxProvider")!;
        return provider.GetMembers().OfType<IMethodSymbol>().Where(m => CapabilityOf(m) is not null).ToList();
    });

    /// <summary>The capability ids that have members on the provider contract.</summary>
    public static IReadOnlyList<string> CapabilitiesWithMembers => ContractMembers.Value.Select(m => CapabilityOf(m)!).Distinct().ToList();

    /// <summary>Overrides, throwing <see cref="NotImplementedException"/>, of every contract member of the given capabilities.</summary>
    public static string Overrides(IEnumerable<string> capabilities)
    {
        var wanted = capabilities.ToHashSet(StringComparer.Ordinal);
        var code = new StringBuilder();
        foreach (var method in ContractMembers.Value.Where(m => wanted.Contains(CapabilityOf(m)!)))
        {
            var parameters = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(AdapterParser.TypeFormat) + " " + p.Name));
            code.Append("    public override ").Append(method.ReturnType.ToDisplayString(AdapterParser.TypeFormat)).Append(' ')
                .Append(method.Name).Append('(').Append(parameters).Append(") => throw new global::System.NotImplementedException();\n");
        }

        return code.ToString();
    }

    /// <summary>
    /// An adapter <c>[SandboxProvider(id)]</c> named <paramref name="className"/> implementing the members of
    /// <paramref name="implemented"/>, with a <c>ProviderConfig</c> constructor unless told otherwise.
    /// </summary>
    public static string Create(
        string id,
        string className,
        IEnumerable<string> implemented,
        string? ns = "Demo",
        string declaration = "internal sealed partial class",
        string baseType = "global::Sandboxes.Providers.SandboxProvider",
        bool constructor = true,
        string extraMembers = "")
    {
        var code = new StringBuilder();
        if (ns is not null)
        {
            code.Append("namespace ").Append(ns).Append(";\n\n");
        }

        code.Append("[global::Sandboxes.Providers.SandboxProvider(\"").Append(id).Append("\")]\n");
        code.Append(declaration).Append(' ').Append(className).Append(" : ").Append(baseType).Append("\n{\n");
        if (constructor)
        {
            code.Append("    public ").Append(className).Append("(global::Sandboxes.ProviderConfig config) : base(config) { }\n\n");
        }

        code.Append(Overrides(implemented));
        code.Append(extraMembers);
        code.Append("}\n");
        return code.ToString();
    }

    private static string? CapabilityOf(IMethodSymbol method) =>
        method.GetAttributes()
            .FirstOrDefault(a => a.AttributeClass?.Name == "ProviderCapabilityAttribute")
            ?.ConstructorArguments[0].Value as string;
}
