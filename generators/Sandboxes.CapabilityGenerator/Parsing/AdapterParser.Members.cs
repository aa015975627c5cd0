using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sandboxes.Generators.Capabilities
{
    internal static partial class AdapterParser
    {
        /// <summary>
        /// Finds every member of the adapter's base classes that carries <c>[ProviderCapability]</c> (the contract), and
        /// for each one who implements it. Only the generator's input is seen, so its own stubs never count.
        /// </summary>
        private static List<ContractMember> ReadContractMembers(INamedTypeSymbol adapter, INamedTypeSymbol capabilityAttribute, CancellationToken cancellationToken)
        {
            var members = new List<ContractMember>();
            for (var declaring = adapter.BaseType; declaring is not null; declaring = declaring.BaseType)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var method in declaring.GetMembers().OfType<IMethodSymbol>())
                {
                    if (method.MethodKind != MethodKind.Ordinary || method.IsOverride || !(method.IsAbstract || method.IsVirtual))
                    {
                        continue;
                    }

                    var capability = CapabilityOf(method, capabilityAttribute);
                    if (capability is not null)
                    {
                        members.Add(Describe(adapter, declaring, method, capability));
                    }
                }
            }

            return members;
        }

        internal static string? CapabilityOf(IMethodSymbol method, INamedTypeSymbol capabilityAttribute)
        {
            foreach (var attribute in method.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, capabilityAttribute)
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is string id
                    && id.Length > 0)
                {
                    return id;
                }
            }

            return null;
        }

        private static ContractMember Describe(INamedTypeSymbol adapter, INamedTypeSymbol declaring, IMethodSymbol method, string capability)
        {
            var (state, overrideLocation) = FindImplementation(adapter, declaring, method);
            var parameters = method.Parameters.Select(p => new ParameterModel(Modifier(p.RefKind), p.Type.ToDisplayString(TypeFormat), EscapeName(p.Name)));
            return new ContractMember(
                method.Name,
                capability,
                AccessibilityText(method, adapter),
                method.ReturnType.ToDisplayString(TypeFormat),
                parameters.ToEquatableArray(),
                CanStub: !method.IsGenericMethod && !method.ReturnsByRef && !method.ReturnsByRefReadonly,
                state,
                overrideLocation);
        }

        /// <summary>Walks from the adapter up to the declaring type; the first override found is the one that runs.</summary>
        private static (ImplementationState State, LocationInfo? Location) FindImplementation(INamedTypeSymbol adapter, INamedTypeSymbol declaring, IMethodSymbol method)
        {
            for (var type = adapter; type is not null && !SymbolEqualityComparer.Default.Equals(type, declaring); type = type.BaseType)
            {
                foreach (var candidate in type.GetMembers(method.Name).OfType<IMethodSymbol>())
                {
                    if (!Overrides(candidate, method))
                    {
                        continue;
                    }

                    if (SymbolEqualityComparer.Default.Equals(type, adapter))
                    {
                        return (ImplementationState.ImplementedByAdapter, LocationInfo.From(candidate.Locations.FirstOrDefault()));
                    }

                    if (candidate.IsAbstract)
                    {
                        return (ImplementationState.NotImplemented, null);
                    }

                    return (candidate.IsSealed ? ImplementationState.SealedInBase : ImplementationState.Inherited, null);
                }
            }

            return (method.IsAbstract ? ImplementationState.NotImplemented : ImplementationState.Inherited, null);
        }

        internal static bool Overrides(IMethodSymbol candidate, IMethodSymbol method)
        {
            for (var overridden = candidate.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
            {
                if (SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, method.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        internal static string AccessibilityText(IMethodSymbol method, INamedTypeSymbol adapter) => method.DeclaredAccessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Protected => "protected",
            Accessibility.Internal => "internal",
            Accessibility.ProtectedAndInternal => "private protected",

            // Across assemblies, an override of 'protected internal' is written 'protected'.
            Accessibility.ProtectedOrInternal => SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, adapter.ContainingAssembly)
                ? "protected internal"
                : "protected",
            _ => "public",
        };

        internal static string Modifier(RefKind kind) => kind switch
        {
            RefKind.Ref => "ref ",
            RefKind.Out => "out ",
            RefKind.In => "in ",
            RefKind.RefReadOnlyParameter => "ref readonly ",
            _ => string.Empty,
        };

        internal static string EscapeName(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
    }
}
