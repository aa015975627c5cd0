using System.Collections.Generic;

namespace Sandboxes.Generators
{
    /// <summary>How serious a diagnostic is; MSBuild shows warnings and errors, messages only with detailed verbosity.</summary>
    internal enum DiagnosticSeverity
    {
        Message,
        Warning,
        Error,
    }

    /// <summary>One kind of diagnostic: a stable id, a severity and a message format that says how to fix the cause.</summary>
    internal sealed record DiagnosticDescriptor(string Id, DiagnosticSeverity Severity, string Format);

    /// <summary>
    /// Every diagnostic the spec compiler reports. Ids are stable; each message says how to fix the cause. A construct the
    /// compiler cannot handle is a warning and a skipped member, never a failed build; a spec that cannot be read at all is
    /// an error, since nothing can be generated for it.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        public static readonly DiagnosticDescriptor UnreadableSpec = new("SBX001", DiagnosticSeverity.Error,
            "The spec '{0}' cannot be read: {1}. Fix the file, or remove its SandboxesSpec item.");

        public static readonly DiagnosticDescriptor NotASpec = new("SBX002", DiagnosticSeverity.Error,
            "'{0}' has no top-level 'openapi' or 'swagger' field. Point the SandboxesSpec item at an OpenAPI 3.x or Swagger 2.0 document.");

        public static readonly DiagnosticDescriptor UnsupportedVersion = new("SBX003", DiagnosticSeverity.Error,
            "'{0}' declares version '{1}'; only OpenAPI 3.0, 3.1 and Swagger 2.0 are supported. Convert the document to one of those versions.");

        public static readonly DiagnosticDescriptor UnresolvedReference = new("SBX004", DiagnosticSeverity.Warning,
            "The reference '{0}' does not resolve inside the document; the value is typed as JsonElement. Fix the $ref, or inline the referenced schema (references to other files are not followed).");

        public static readonly DiagnosticDescriptor OperationSkipped = new("SBX005", DiagnosticSeverity.Warning,
            "The operation {0} {1} was skipped: {2}. Leave it out with the IncludeOperations, IncludePaths or IncludeTags metadata, or call it through HttpClient by hand.");

        public static readonly DiagnosticDescriptor ParameterSkipped = new("SBX006", DiagnosticSeverity.Warning,
            "The parameter '{0}' of {1} {2} was skipped: {3}. Send it through a DelegatingHandler or a hand-written call if you need it.");

        public static readonly DiagnosticDescriptor DuplicateClientName = new("SBX007", DiagnosticSeverity.Error,
            "The spec '{0}' produces the client name '{1}' that another spec already produced; it was not generated. Give one of them a distinct ClientName metadata.");

        public static readonly DiagnosticDescriptor InvalidOption = new("SBX008", DiagnosticSeverity.Warning,
            "The option {0}=\"{1}\" of '{2}' is invalid: {3}. The default is used instead.");

        public static readonly DiagnosticDescriptor NoOperationsIncluded = new("SBX009", DiagnosticSeverity.Warning,
            "The include filters of '{0}' (tags, path prefixes, operation ids) match no operation; nothing was generated. Check the IncludeTags, IncludePaths and IncludeOperations metadata.");

        public static readonly DiagnosticDescriptor HierarchyAsUnion = new("SBX010", DiagnosticSeverity.Message,
            "The schema '{0}' has a discriminator, but {1}; it is generated as a union type that keeps the raw JSON. Make every variant a $ref to an object schema used in no other hierarchy to get a class hierarchy.");

        public static readonly DiagnosticDescriptor GeneratorFailure = new("SBX011", DiagnosticSeverity.Error,
            "The spec compiler failed on '{0}' and generated nothing for it: {1}. Please report it with the spec attached; meanwhile exclude the failing operation.");

        public static readonly DiagnosticDescriptor ExternalReference = new("SBX012", DiagnosticSeverity.Warning,
            "The reference '{0}' points into another file, which the spec compiler does not follow; the value is typed as JsonElement. Bundle the spec into one file (for example with 'redocly bundle').");

        public static readonly DiagnosticDescriptor ReaderProblem = new("SBX013", DiagnosticSeverity.Message,
            "The OpenAPI reader reports: {0}");

        public static readonly DiagnosticDescriptor UnknownFilter = new("SBX014", DiagnosticSeverity.Warning,
            "The include filter '{0}' of '{1}' matches no {2} of the spec. Check its spelling (operation ids are case-sensitive).");

        private static readonly Dictionary<string, DiagnosticDescriptor> ById = new()
        {
            [UnreadableSpec.Id] = UnreadableSpec,
            [NotASpec.Id] = NotASpec,
            [UnsupportedVersion.Id] = UnsupportedVersion,
            [UnresolvedReference.Id] = UnresolvedReference,
            [OperationSkipped.Id] = OperationSkipped,
            [ParameterSkipped.Id] = ParameterSkipped,
            [DuplicateClientName.Id] = DuplicateClientName,
            [InvalidOption.Id] = InvalidOption,
            [NoOperationsIncluded.Id] = NoOperationsIncluded,
            [HierarchyAsUnion.Id] = HierarchyAsUnion,
            [GeneratorFailure.Id] = GeneratorFailure,
            [ExternalReference.Id] = ExternalReference,
            [ReaderProblem.Id] = ReaderProblem,
            [UnknownFilter.Id] = UnknownFilter,
        };

        public static DiagnosticDescriptor Find(string id) => ById.TryGetValue(id, out var descriptor) ? descriptor : GeneratorFailure;
    }
}
