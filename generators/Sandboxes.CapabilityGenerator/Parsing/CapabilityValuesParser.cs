using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Reads the class marked <c>[CapabilityIds]</c> (<c>Capability.Ids</c>): its public string constants, in the order
    /// they are declared, and the partial type it is nested in, which receives the generated values.
    /// </summary>
    internal static class CapabilityValuesParser
    {
        public static CapabilityValuesModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var ids = (INamedTypeSymbol)context.TargetSymbol;
            var location = LocationInfo.From(((ClassDeclarationSyntax)context.TargetNode).Identifier.GetLocation());
            var containing = ids.ContainingType;
            var ns = (containing ?? ids).ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            var problem = containing is null ? "it must be nested in the type that receives the values"
                : containing.IsGenericType || containing.ContainingType is not null ? "the type it is nested in must be a top-level, non-generic type"
                : !containing.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword))
                    ? "the type it is nested in must be declared 'partial'"
                : null;
            var diagnostics = new List<DiagnosticInfo>();
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.InvalidCapabilityIds, location, ids.Name, problem));
            }

            // Declaration order is the order users see (the README matrix, listings); GetMembers keeps it for source types.
            var constants = ids.GetMembers().OfType<IFieldSymbol>()
                .Where(f => f.IsConst && f.DeclaredAccessibility == Accessibility.Public && f.Type.SpecialType == SpecialType.System_String)
                .Select(f => f.Name)
                .ToEquatableArray();
            return new CapabilityValuesModel(
                (ns is null ? string.Empty : ns + ".") + (containing?.Name ?? ids.Name) + ".Values.g.cs",
                ns,
                containing?.TypeKind == TypeKind.Struct ? (containing.IsReadOnly ? "readonly partial struct" : "partial struct") : "partial class",
                containing?.Name ?? string.Empty,
                ids.Name,
                constants,
                problem is null,
                diagnostics.ToEquatableArray());
        }
    }
}
