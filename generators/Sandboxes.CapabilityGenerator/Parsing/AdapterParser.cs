using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Turns a class marked <c>[SandboxProvider("id")]</c> into an <see cref="AdapterModel"/>: its shape, the contract
    /// members it implements, and the known capability ids (the string constants of <c>Capability.Ids</c>, read here so a
    /// new capability needs no generator change). Symbols stay inside this method; the model holds strings only.
    /// </summary>
    internal static partial class AdapterParser
    {
        /// <summary>C# type names with <c>global::</c> and nullable annotations, as an override must repeat them.</summary>
        internal static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(
            SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static AdapterModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (ClassDeclarationSyntax)context.TargetNode;
            var compilation = context.SemanticModel.Compilation;
            var location = LocationInfo.From(syntax.Identifier.GetLocation());
            var className = type.Name;
            var diagnostics = new List<DiagnosticInfo>();

            var providerId = context.Attributes.Length > 0 && context.Attributes[0].ConstructorArguments.Length == 1
                ? context.Attributes[0].ConstructorArguments[0].Value as string
                : null;

            var providerBase = compilation.GetTypeByMetadataName(KnownNames.SandboxProvider);
            var canEmit = true;
            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.AdapterNotPartial, location, className));
                canEmit = false;
            }

            var shapeProblem = ShapeProblem(type, providerBase, providerId);
            if (shapeProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.InvalidAdapter, location, className, shapeProblem));
                canEmit = false;
            }

            var hasConstructor = HasConfigConstructor(type, compilation.GetTypeByMetadataName(KnownNames.ProviderConfig));
            if (canEmit && !hasConstructor)
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.MissingConfigConstructor, location, className, className));
            }

            var declaresDescriptor = type.GetMembers(KnownNames.DescriptorProperty).Any(m => !m.IsImplicitlyDeclared);
            if (canEmit && declaresDescriptor)
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.DescriptorWrittenByHand, location, className, providerId ?? string.Empty));
            }

            cancellationToken.ThrowIfCancellationRequested();
            var capabilityAttribute = compilation.GetTypeByMetadataName(KnownNames.ProviderCapabilityAttribute);
            var members = shapeProblem is null && capabilityAttribute is not null
                ? ReadContractMembers(type, capabilityAttribute, cancellationToken)
                : new List<ContractMember>();

            var known = KnownCapabilities(compilation, members);
            var honoured = HonouredWithoutOperation(compilation);
            var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : null;

            return new AdapterModel(
                providerId ?? string.Empty,
                ns,
                className,
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                location,
                canEmit,
                hasConstructor,
                declaresDescriptor,
                members.ToEquatableArray(),
                known.ToEquatableArray(),
                honoured.ToEquatableArray(),
                diagnostics.ToEquatableArray());
        }

        private static string? ShapeProblem(INamedTypeSymbol type, INamedTypeSymbol? providerBase, string? providerId)
        {
            if (string.IsNullOrWhiteSpace(providerId))
            {
                return "[SandboxProvider] needs the provider id, for example [SandboxProvider(\"e2b\")]";
            }

            if (providerBase is null || !DerivesFrom(type, providerBase))
            {
                return "it must derive from Sandboxes.Providers.SandboxProvider";
            }

            if (type.ContainingType is not null)
            {
                return "it must be a top-level class, not nested in '" + type.ContainingType.Name + "'";
            }

            if (type.IsGenericType)
            {
                return "it must not be generic, since the registry creates it by name";
            }

            if (type.IsAbstract || type.IsStatic)
            {
                return "it must be a concrete class the registry can instantiate";
            }

            return null;
        }

        private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
        {
            for (var current = type.BaseType; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, baseType))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool HasConfigConstructor(INamedTypeSymbol type, INamedTypeSymbol? configType) =>
            configType is not null && type.InstanceConstructors.Any(c =>
                c.Parameters.Length == 1
                && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, configType)
                && c.Parameters[0].RefKind == RefKind.None
                && c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal);

        /// <summary>The capability ids whose constants carry <c>[HonouredWithoutOperation]</c>.</summary>
        private static List<string> HonouredWithoutOperation(Compilation compilation)
        {
            var honoured = new List<string>();
            var ids = compilation.GetTypeByMetadataName(KnownNames.CapabilityIds);
            var marker = compilation.GetTypeByMetadataName(KnownNames.HonouredWithoutOperationAttribute);
            if (ids is null || marker is null)
            {
                return honoured;
            }

            foreach (var field in ids.GetMembers().OfType<IFieldSymbol>())
            {
                if (field.IsConst && field.ConstantValue is string id
                    && field.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, marker)))
                {
                    honoured.Add(id);
                }
            }

            return honoured;
        }

        private static List<string> KnownCapabilities(Compilation compilation, List<ContractMember> members)
        {
            var known = new List<string>();
            var ids = compilation.GetTypeByMetadataName(KnownNames.CapabilityIds);
            if (ids is not null)
            {
                foreach (var field in ids.GetMembers().OfType<IFieldSymbol>())
                {
                    if (field.IsConst && field.ConstantValue is string id && !known.Contains(id))
                    {
                        known.Add(id);
                    }
                }
            }

            // A contract member may name a capability that is not a constant (a third party's own); it is known too.
            foreach (var member in members)
            {
                if (!known.Contains(member.CapabilityId))
                {
                    known.Add(member.CapabilityId);
                }
            }

            return known;
        }
    }
}
