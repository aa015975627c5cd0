using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Every diagnostic the capability generator reports. Ids are stable (SBX1xx); each message says how to fix the problem.
    /// SBX10x concern the adapter class, SBX11x the table, SBX12x how the two agree, SBX13x the forwarding decorator.
    /// </summary>
    internal static class CapabilityDiagnostics
    {
        public const string Category = "Sandboxes.Capabilities";

        public static readonly DiagnosticDescriptor AdapterNotPartial = Error(
            "SBX100",
            "Provider adapter must be partial",
            "Provider adapter '{0}' must be declared 'partial' so the capability generator can add its descriptor, registration and stubs; add the 'partial' modifier");

        public static readonly DiagnosticDescriptor InvalidAdapter = Error(
            "SBX101",
            "Class cannot be a provider adapter",
            "'{0}' cannot be a provider adapter: {1}");

        public static readonly DiagnosticDescriptor MissingConfigConstructor = Error(
            "SBX102",
            "Provider adapter lacks a ProviderConfig constructor",
            "Provider adapter '{0}' needs a public or internal constructor taking a single 'Sandboxes.ProviderConfig', which the generated registration calls; add '{1}(ProviderConfig config) : base(config)'");

        public static readonly DiagnosticDescriptor DescriptorWrittenByHand = Error(
            "SBX103",
            "Descriptor is generated from the table",
            "Provider adapter '{0}' declares 'Descriptor' itself, but the capability generator emits it (and the registration) from the table of '{1}'; delete the hand-written Descriptor and any hand-written registration");

        public static readonly DiagnosticDescriptor DuplicateProviderId = Error(
            "SBX104",
            "Two adapters claim the same provider id",
            "Provider id '{0}' is claimed by both '{1}' and '{2}'; give each adapter its own id and table");

        public static readonly DiagnosticDescriptor TableMissing = Error(
            "SBX110",
            "Capability table not found",
            "Provider adapter '{0}' is marked [SandboxProvider(\"{1}\")] but no valid table with id '{1}' is among the AdditionalFiles; add specs/{1}/provider.json and include it with <AdditionalFiles Include=\"...\" />");

        public static readonly DiagnosticDescriptor TableMalformed = Error(
            "SBX111",
            "Capability table is malformed",
            "Capability table '{0}' is malformed: {1} (the format is described by specs/provider.schema.json)");

        public static readonly DiagnosticDescriptor DuplicateTable = Error(
            "SBX112",
            "Two tables share a provider id",
            "Capability tables '{0}' and '{1}' both declare provider id '{2}'; keep one table per provider");

        public static readonly DiagnosticDescriptor UnknownCapability = Error(
            "SBX113",
            "Table names an unknown capability",
            "Capability table of '{0}' names unknown capability '{1}'; fix the spelling (known: {2}) or add the id to Sandboxes.Capability.Ids");

        public static readonly DiagnosticDescriptor CapabilityNotListed = Warning(
            "SBX114",
            "Table does not list every capability",
            "Capability table of '{0}' does not list {1}; unlisted capabilities count as unsupported, so add each one as 'native', 'emulated' or 'unsupported' with a note");

        public static readonly DiagnosticDescriptor CapabilityNotImplemented = Error(
            "SBX120",
            "Declared capability is not implemented",
            "Provider '{0}' declares capability '{1}' {2} in its table, but '{3}' does not implement {4}; implement the member(s), or declare '{1}' unsupported to get stubs throwing FeatureNotSupportedException");

        public static readonly DiagnosticDescriptor CapabilityWithoutOperation = Error(
            "SBX123",
            "Declared capability has no operation",
            "Provider '{0}' declares capability '{1}' {2} in its table, but no member of SandboxProvider implements '{1}' and no request field or library code honours it; declare it unsupported, or add the operation to SandboxProvider");

        public static readonly DiagnosticDescriptor UnsupportedCapabilityImplemented = Error(
            "SBX121",
            "Implemented capability is declared unsupported",
            "'{0}' implements {1} of capability '{2}', which the table of provider '{3}' declares unsupported; declare '{2}' native or emulated in the table, or delete the override");

        public static readonly DiagnosticDescriptor MemberNotStubbed = Warning(
            "SBX122",
            "Member of an unsupported capability cannot be stubbed",
            "Member '{0}' of unsupported capability '{1}' gets no throwing stub in '{2}': {3}; override it by hand to throw NotSupported(...)");

        public static readonly DiagnosticDescriptor InvalidDecorator = Error(
            "SBX130",
            "Class cannot be a forwarding decorator",
            "'{0}' cannot be a forwarding decorator: {1}");

        public static readonly DiagnosticDescriptor OperationUndeclared = Error(
            "SBX131",
            "Contract member declares no operation",
            "Contract member '{0}' (capability '{1}') declares no Operation, so '{2}' cannot forward it; set Operation, and Idempotent and Timing where they apply, on its [ProviderCapability]");

        public static readonly DiagnosticDescriptor MemberNotForwarded = Error(
            "SBX132",
            "Contract member cannot be forwarded",
            "Contract member '{0}' cannot be forwarded by '{1}': {2}; override it in '{1}' by hand");

        public static readonly DiagnosticDescriptor InvalidCapabilityIds = Error(
            "SBX133",
            "Capability ids cannot receive their values",
            "'{0}' is marked [CapabilityIds], but no capability values can be generated for it: {1}");

        private static readonly Dictionary<string, DiagnosticDescriptor> All = new[]
        {
            AdapterNotPartial, InvalidAdapter, MissingConfigConstructor, DescriptorWrittenByHand, DuplicateProviderId,
            TableMissing, TableMalformed, DuplicateTable, UnknownCapability, CapabilityNotListed,
            CapabilityNotImplemented, CapabilityWithoutOperation, UnsupportedCapabilityImplemented, MemberNotStubbed,
            InvalidDecorator, OperationUndeclared, MemberNotForwarded, InvalidCapabilityIds,
        }.ToDictionary(d => d.Id, StringComparer.Ordinal);

        /// <summary>Every descriptor, for tests and documentation.</summary>
        public static IReadOnlyCollection<DiagnosticDescriptor> Descriptors => All.Values;

        public static DiagnosticDescriptor ById(string id) => All[id];

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        private static DiagnosticDescriptor Warning(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    }
}
