using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sandboxes.Generators.Emitting;
using Sandboxes.Generators.Model;
using Sandboxes.Generators.Parsing;

namespace Sandboxes.Generators
{
    /// <summary>
    /// Turns every OpenAPI 3.0/3.1 or Swagger 2.0 file among a project's <c>AdditionalFiles</c> into models, a JSON context
    /// and a typed client. Each spec flows through its own pipeline items, so editing C# parses nothing and editing one
    /// spec regenerates only that spec.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class SpecCompilerGenerator : IIncrementalGenerator
    {
        private const string MetadataPrefix = "build_metadata.AdditionalFiles.";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var specs = context.AdditionalTextsProvider
                .Where(static text => IsSpecExtension(text.Path))
                .Combine(context.AnalyzerConfigOptionsProvider)
                .Select(static (pair, cancellationToken) => ReadInput(pair.Left, pair.Right, cancellationToken))
                .Where(static input => input is not null)
                .Select(static (input, _) => input!)
                .WithTrackingName(StepNames.SpecFiles);

            var parsed = specs
                .Select(static (input, cancellationToken) => SpecParser.Parse(input, cancellationToken))
                .WithTrackingName(StepNames.ParsedSpecs);

            var diagnostics = parsed.Select(static (result, _) => result.Diagnostics).WithTrackingName(StepNames.Diagnostics);
            var models = parsed
                .Select(static (result, _) => result.Api)
                .Where(static api => api is not null)
                .Select(static (api, _) => api!)
                .WithTrackingName(StepNames.Models);

            context.RegisterSourceOutput(diagnostics, static (production, items) =>
            {
                foreach (var item in items)
                {
                    production.ReportDiagnostic(ToDiagnostic(item));
                }
            });
            // Two specs must not produce one client (same hint names, same types). The collected list holds only names, so
            // editing a spec without renaming its client leaves it equal and the other specs' outputs cached.
            var clientNames = models
                .Select(static (api, _) => new ClientKey(api.ClientName, api.SourceFile))
                .Collect()
                .Select(static (keys, _) => keys.ToEquatableArray())
                .WithTrackingName(StepNames.ClientNames);

            context.RegisterSourceOutput(models.Combine(clientNames), static (production, pair) => Emit(production, pair.Left, pair.Right));
        }

        private static bool IsSpecExtension(string path) =>
            path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ||
            path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

        private static SpecInput? ReadInput(AdditionalText file, AnalyzerConfigOptionsProvider provider, CancellationToken cancellationToken)
        {
            var options = provider.GetOptions(file);
            string? Get(string name) => options.TryGetValue(MetadataPrefix + name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

            var enabledText = Get("SandboxesSpec");
            bool? enabled = enabledText is null ? null : string.Equals(enabledText, "true", StringComparison.OrdinalIgnoreCase);
            if (enabled == false)
            {
                return null;
            }

            var text = file.GetText(cancellationToken)?.ToString();
            if (text is null || (enabled != true && !SpecParser.LooksLikeSpec(text)))
            {
                return null;
            }

            provider.GlobalOptions.TryGetValue("build_property.RootNamespace", out var rootNamespace);
            return new SpecInput(file.Path, text, new SpecOptions(
                enabled,
                Get("SandboxesNamespace"),
                Get("SandboxesClientName"),
                Get("SandboxesBaseUrl"),
                Get("SandboxesProvider"),
                List(Get("SandboxesIncludeTags")),
                List(Get("SandboxesIncludePaths")),
                List(Get("SandboxesIncludeOperations")),
                Get("SandboxesVisibility"),
                string.IsNullOrWhiteSpace(rootNamespace) ? null : rootNamespace));
        }

        private static EquatableArray<string> List(string? value) =>
            value is null
                ? EquatableArray<string>.Empty
                : value.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()).Where(v => v.Length > 0).ToEquatableArray();

        private static void Emit(SourceProductionContext production, ApiModel api, EquatableArray<ClientKey> clients)
        {
            // The first spec (by path) keeps a contested name; the others report it and generate nothing.
            if (clients.Any(c => c.ClientName == api.ClientName && string.CompareOrdinal(c.SourceFile, api.SourceFile) < 0))
            {
                production.ReportDiagnostic(ToDiagnostic(new DiagnosticInfo("SBX007", api.SourceFile, 0, 0,
                    new[] { api.SourceFile, api.ClientName }.ToEquatableArray())));
                return;
            }

            IReadOnlyList<KeyValuePair<string, string>> files;
            try
            {
                files = Emitter.Emit(api);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                production.ReportDiagnostic(ToDiagnostic(new DiagnosticInfo("SBX011", api.SourceFile, 0, 0,
                    new[] { api.SourceFile, e.GetType().Name + ": " + e.Message }.ToEquatableArray())));
                return;
            }

            foreach (var file in files)
            {
                production.AddSource(file.Key, SourceText.From(file.Value, System.Text.Encoding.UTF8));
            }
        }

        private static Diagnostic ToDiagnostic(DiagnosticInfo info)
        {
            var descriptor = DiagnosticDescriptors.Find(info.Id) ?? DiagnosticDescriptors.GeneratorFailure;
            var position = new LinePosition(Math.Max(0, info.Line), Math.Max(0, info.Column));
            var location = Location.Create(info.FilePath, default, new LinePositionSpan(position, position));
            return Diagnostic.Create(descriptor, location, info.Arguments.Cast<object>().ToArray());
        }
    }
}
