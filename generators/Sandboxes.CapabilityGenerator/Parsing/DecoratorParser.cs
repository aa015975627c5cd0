using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Turns a class marked <c>[ForwardingDecorator]</c> into a <see cref="DecoratorModel"/>: every contract member (a
    /// method of its base classes carrying <c>[ProviderCapability]</c>) that the class does not override itself, with
    /// what the attribute declares about calling it. Symbols stay inside this class; the model holds strings only.
    /// </summary>
    internal static class DecoratorParser
    {
        private const string TaskType = "System.Threading.Tasks.Task";
        private const string TaskOfResultType = "System.Threading.Tasks.Task`1";
        private const string AsyncEnumerableType = "System.Collections.Generic.IAsyncEnumerable`1";
        private const string CancellationTokenType = "System.Threading.CancellationToken";

        public static DecoratorModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (ClassDeclarationSyntax)context.TargetNode;
            var compilation = context.SemanticModel.Compilation;
            var location = LocationInfo.From(syntax.Identifier.GetLocation());
            var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : null;
            var hintName = (ns is null ? type.Name : ns + "." + type.Name) + ".Forwarding.g.cs";
            var diagnostics = new List<DiagnosticInfo>();

            var problem = ShapeProblem(type, syntax, compilation.GetTypeByMetadataName(KnownNames.SandboxProvider));
            var capabilityAttribute = compilation.GetTypeByMetadataName(KnownNames.ProviderCapabilityAttribute);
            var timing = compilation.GetTypeByMetadataName(KnownNames.OperationTiming);
            if (problem is null && (capabilityAttribute is null || timing is null))
            {
                problem = "the compilation does not define Sandboxes.Providers.ProviderCapabilityAttribute and OperationTiming";
            }

            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.InvalidDecorator, location, type.Name, problem));
                return new DecoratorModel(hintName, ns, type.Name, false, EquatableArray<ForwardPlan>.Empty, diagnostics.ToEquatableArray());
            }

            var forwards = new List<ForwardPlan>();
            for (var declaring = type.BaseType; declaring is not null; declaring = declaring.BaseType)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var method in declaring.GetMembers().OfType<IMethodSymbol>())
                {
                    if (method.MethodKind != MethodKind.Ordinary || method.IsOverride || !(method.IsAbstract || method.IsVirtual)
                        || AdapterParser.CapabilityOf(method, capabilityAttribute!) is not { } capability
                        || OverriddenBy(type, method))
                    {
                        continue;
                    }

                    var plan = Plan(type, method, capability, capabilityAttribute!, timing!, location, diagnostics);
                    if (plan is not null)
                    {
                        forwards.Add(plan);
                    }
                }
            }

            return new DecoratorModel(hintName, ns, type.Name, true, forwards.ToEquatableArray(), diagnostics.ToEquatableArray());
        }

        private static string? ShapeProblem(INamedTypeSymbol type, ClassDeclarationSyntax syntax, INamedTypeSymbol? providerBase)
        {
            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return "it must be declared 'partial' so the generator can add the forwards";
            }

            var derives = false;
            for (var current = type.BaseType; current is not null && !derives; current = current.BaseType)
            {
                derives = SymbolEqualityComparer.Default.Equals(current, providerBase);
            }

            if (!derives)
            {
                return "it must derive from Sandboxes.Providers.SandboxProvider";
            }

            if (type.ContainingType is not null || type.IsGenericType)
            {
                return "it must be a top-level, non-generic class";
            }

            return null;
        }

        /// <summary>True when the decorator (or a class between it and the contract) already overrides the member.</summary>
        private static bool OverriddenBy(INamedTypeSymbol type, IMethodSymbol method)
        {
            for (var current = type; current is not null && !SymbolEqualityComparer.Default.Equals(current, method.ContainingType); current = current.BaseType)
            {
                if (current.GetMembers(method.Name).OfType<IMethodSymbol>().Any(candidate => AdapterParser.Overrides(candidate, method)))
                {
                    return true;
                }
            }

            return false;
        }

        private static ForwardPlan? Plan(INamedTypeSymbol type, IMethodSymbol method, string capability, INamedTypeSymbol capabilityAttribute,
            INamedTypeSymbol timingType, LocationInfo? decoratorLocation, List<DiagnosticInfo> diagnostics)
        {
            var memberLocation = LocationInfo.From(method.Locations.FirstOrDefault(l => l.IsInSource)) ?? decoratorLocation;
            var shape = ShapeOf(method.ReturnType);
            var tokens = method.Parameters.Where(p => p.Type.ToDisplayString() == CancellationTokenType).ToList();
            var why = method.IsGenericMethod ? "it is generic"
                : shape is null ? "it returns neither Task, Task<T> nor IAsyncEnumerable<T>"
                : tokens.Count != 1 ? "it does not take exactly one CancellationToken"
                : method.Parameters.Any(p => p.RefKind != RefKind.None) ? "it has ref, in or out parameters"
                : null;
            if (why is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.MemberNotForwarded, decoratorLocation, method.Name, type.Name, why));
                return null;
            }

            var attribute = method.GetAttributes().First(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, capabilityAttribute));
            string? operation = null;
            var idempotent = false;
            var timing = TimingOf(timingType, 0);
            foreach (var argument in attribute.NamedArguments)
            {
                switch (argument.Key)
                {
                    case KnownNames.OperationArgument:
                        operation = argument.Value.Value as string;
                        break;
                    case KnownNames.IdempotentArgument:
                        idempotent = argument.Value.Value is true;
                        break;
                    case KnownNames.TimingArgument:
                        timing = TimingOf(timingType, argument.Value.Value);
                        break;
                }
            }

            if (string.IsNullOrWhiteSpace(operation))
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.OperationUndeclared, memberLocation, method.Name, capability, type.Name));
                return null;
            }

            var parameters = method.Parameters.Select(p => new ParameterModel(
                AdapterParser.Modifier(p.RefKind), p.Type.ToDisplayString(AdapterParser.TypeFormat), AdapterParser.EscapeName(p.Name)));
            return new ForwardPlan(
                method.Name,
                AdapterParser.AccessibilityText(method, type),
                method.ReturnType.ToDisplayString(AdapterParser.TypeFormat),
                shape!.Value,
                parameters.ToEquatableArray(),
                AdapterParser.EscapeName(tokens[0].Name),
                operation!,
                idempotent,
                timing.Expression,
                Live: shape == ForwardShape.AsyncEnumerable || timing.Name == KnownNames.LiveTiming);
        }

        private static ForwardShape? ShapeOf(ITypeSymbol returnType)
        {
            var definition = returnType.OriginalDefinition;
            var name = definition.ContainingNamespace?.ToDisplayString() + "." + definition.MetadataName;
            return name switch
            {
                TaskType => ForwardShape.Task,
                TaskOfResultType => ForwardShape.TaskOfResult,
                AsyncEnumerableType => ForwardShape.AsyncEnumerable,
                _ => null,
            };
        }

        /// <summary>
        /// The enum member with the given value, as the emitter writes it (<c>global::...OperationTiming.Live</c>), and its
        /// bare name; a value no member has (a cast in the attribute) is written as a cast.
        /// </summary>
        private static (string Expression, string Name) TimingOf(INamedTypeSymbol enumType, object? value)
        {
            var number = System.Convert.ToInt64(value ?? 0, System.Globalization.CultureInfo.InvariantCulture);
            var typeName = enumType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f =>
                f.HasConstantValue && System.Convert.ToInt64(f.ConstantValue, System.Globalization.CultureInfo.InvariantCulture) == number);
            return member is null
                ? ("((" + typeName + ")" + number.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")", string.Empty)
                : (typeName + "." + member.Name, member.Name);
        }
    }
}
