using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Maps every provider adapter (a <c>partial</c> class marked <c>[SandboxProvider("id")]</c>) onto its capability table
    /// (<c>specs/&lt;id&gt;/provider.json</c>, an AdditionalFile): emits its descriptor and registration, throwing stubs for
    /// the capabilities it lacks, and errors where the adapter and the table disagree. For a class marked
    /// <c>[ForwardingDecorator]</c> it emits the forward of every contract operation, from what each declares; for the
    /// class of capability ids (<c>[CapabilityIds]</c>) the capability values and their list.
    /// </summary>
    /// <remarks>
    /// The pipeline never combines with the CompilationProvider: adapters come from ForAttributeWithMetadataName, tables
    /// from the AdditionalTextsProvider, and both become equatable models, so an unrelated edit re-runs nothing downstream.
    /// </remarks>
    [Generator(LanguageNames.CSharp)]
    public sealed class CapabilityGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var adapters = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.SandboxProviderAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => AdapterParser.Parse(syntaxContext, cancellationToken))
                .WithTrackingName(StepNames.Adapters);

            var tables = context.AdditionalTextsProvider
                .Where(static text => TableParser.IsTable(text.Path))
                .Select(static (text, cancellationToken) => TableParser.Parse(text.Path, text.GetText(cancellationToken), cancellationToken))
                .WithTrackingName(StepNames.Tables);

            // Sorted by path so the order (and what "the first of two duplicates" means) does not depend on the build.
            var tableSet = tables.Collect()
                .Select(static (all, _) => all.OrderBy(t => t.Path, StringComparer.Ordinal).ToEquatableArray())
                .WithTrackingName(StepNames.TableSet);

            var bound = adapters.Combine(tableSet)
                .Select(static (pair, _) => AdapterBinder.Bind(pair.Left, pair.Right))
                .WithTrackingName(StepNames.Bound);

            var plans = bound.Select(static (result, _) => result.Plan).WithTrackingName(StepNames.Plans);
            context.RegisterSourceOutput(plans, static (output, plan) =>
            {
                if (plan is not null)
                {
                    output.AddSource(plan.HintName, AdapterEmitter.Emit(plan));
                }
            });

            var adapterDiagnostics = bound.Select(static (result, _) => result.Diagnostics).WithTrackingName(StepNames.AdapterDiagnostics);
            context.RegisterSourceOutput(adapterDiagnostics, static (output, diagnostics) => Report(output, diagnostics));

            var tableDiagnostics = tableSet.Select(static (all, _) => TableChecks.Check(all)).WithTrackingName(StepNames.TableDiagnostics);
            context.RegisterSourceOutput(tableDiagnostics, static (output, diagnostics) => Report(output, diagnostics));

            var providerIds = adapters.Collect()
                .Select(static (all, _) => TableChecks.CheckProviderIds(all))
                .WithTrackingName(StepNames.ProviderIds);
            context.RegisterSourceOutput(providerIds, static (output, diagnostics) => Report(output, diagnostics));

            // The forwarding decorator (the resilient provider): contract members forwarded as their attributes declare.
            var decorators = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.ForwardingDecoratorAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => DecoratorParser.Parse(syntaxContext, cancellationToken))
                .WithTrackingName(StepNames.Decorators);

            // Without its diagnostics (which hold locations), so moving the class in its file re-emits nothing.
            var forwards = decorators
                .Select(static (model, _) => model.CanEmit ? model with { Diagnostics = EquatableArray<DiagnosticInfo>.Empty } : null)
                .WithTrackingName(StepNames.Forwards);
            context.RegisterSourceOutput(forwards, static (output, model) =>
            {
                if (model is not null)
                {
                    output.AddSource(model.HintName, DecoratorEmitter.Emit(model));
                }
            });

            var decoratorDiagnostics = decorators.Select(static (model, _) => model.Diagnostics).WithTrackingName(StepNames.DecoratorDiagnostics);
            context.RegisterSourceOutput(decoratorDiagnostics, static (output, diagnostics) => Report(output, diagnostics));

            // The capability values (Capability.Lifecycle, ..., Capability.WellKnown), from the id constants alone.
            var capabilityValues = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.CapabilityIdsAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => CapabilityValuesParser.Parse(syntaxContext, cancellationToken))
                .WithTrackingName(StepNames.CapabilityValues);
            var values = capabilityValues
                .Select(static (model, _) => model.CanEmit ? model with { Diagnostics = EquatableArray<DiagnosticInfo>.Empty } : null)
                .WithTrackingName(StepNames.CapabilityValuesSource);
            context.RegisterSourceOutput(values, static (output, model) =>
            {
                if (model is not null)
                {
                    output.AddSource(model.HintName, CapabilityValuesEmitter.Emit(model));
                }
            });
            context.RegisterSourceOutput(capabilityValues.Select(static (model, _) => model.Diagnostics), static (output, diagnostics) => Report(output, diagnostics));
        }

        private static void Report(SourceProductionContext output, EquatableArray<DiagnosticInfo> diagnostics)
        {
            foreach (var diagnostic in diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        }
    }
}
