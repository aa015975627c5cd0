using Microsoft.CodeAnalysis;

namespace Sandboxes.Generators
{
    /// <summary>
    /// Every diagnostic the spec compiler reports. Ids are stable; each message says how to fix the cause. A construct
    /// the compiler cannot handle is a warning and a skipped member, never a failed build.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Sandboxes.SpecCompiler";

        public static readonly DiagnosticDescriptor UnreadableSpec = new DiagnosticDescriptor(
            "SBX001", "Spec file cannot be read",
            "The spec '{0}' is not valid JSON or YAML: {1}. Fix the file, or remove it from AdditionalFiles (or set SandboxesSpec=\"false\" on it).",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NotASpec = new DiagnosticDescriptor(
            "SBX002", "File is not an OpenAPI or Swagger document",
            "'{0}' is marked SandboxesSpec=\"true\" but has no top-level 'openapi' or 'swagger' field. Point the item at an OpenAPI 3.x or Swagger 2.0 document.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UnsupportedVersion = new DiagnosticDescriptor(
            "SBX003", "Unsupported spec version",
            "'{0}' declares version '{1}'; only OpenAPI 3.0, 3.1 and Swagger 2.0 are supported. Convert the document to one of those versions.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UnresolvedReference = new DiagnosticDescriptor(
            "SBX004", "Reference cannot be resolved",
            "The reference '{0}' does not resolve inside the document; the value is typed as JsonElement. Fix the $ref, or inline the referenced schema (references to other files are not followed).",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor OperationSkipped = new DiagnosticDescriptor(
            "SBX005", "Operation skipped",
            "The operation {0} {1} was skipped: {2}. Exclude it with SandboxesIncludePaths/SandboxesIncludeOperations, or call it through ApiClientCore by hand.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ParameterSkipped = new DiagnosticDescriptor(
            "SBX006", "Parameter skipped",
            "The parameter '{0}' of {1} {2} was skipped: {3}. Send it through ApiClientOptions.DefaultHeaders or a hand-written call if you need it.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor DuplicateClientName = new DiagnosticDescriptor(
            "SBX007", "Two specs produce the same client",
            "The spec '{0}' produces the client name '{1}' that another spec already produced; it was not generated. Give one of them a distinct SandboxesClientName metadata.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InvalidOption = new DiagnosticDescriptor(
            "SBX008", "Invalid spec option",
            "The option {0}=\"{1}\" of '{2}' is invalid: {3}. The default is used instead.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NoOperationsIncluded = new DiagnosticDescriptor(
            "SBX009", "Filters include no operation",
            "The include filters of '{0}' (tags, path prefixes, operation ids) match no operation; only models were generated. Check SandboxesIncludeTags, SandboxesIncludePaths and SandboxesIncludeOperations.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor HierarchyAsUnion = new DiagnosticDescriptor(
            "SBX010", "Discriminated schema generated as a union",
            "The schema '{0}' has a discriminator, but {1}; it is generated as a union type that keeps the raw JSON. Make every variant a $ref to an object schema used in no other hierarchy to get a class hierarchy.",
            Category, DiagnosticSeverity.Info, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor GeneratorFailure = new DiagnosticDescriptor(
            "SBX011", "Spec compiler failed on a spec",
            "The spec compiler failed on '{0}' and generated nothing for it: {1}. Please report it with the spec attached; meanwhile exclude the file or the failing operation.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ExternalReference = new DiagnosticDescriptor(
            "SBX012", "Reference to another file",
            "The reference '{0}' points into another file, which the spec compiler does not follow; the value is typed as JsonElement. Bundle the spec into one file (for example with 'redocly bundle').",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static DiagnosticDescriptor? Find(string id)
        {
            switch (id)
            {
                case "SBX001": return UnreadableSpec;
                case "SBX002": return NotASpec;
                case "SBX003": return UnsupportedVersion;
                case "SBX004": return UnresolvedReference;
                case "SBX005": return OperationSkipped;
                case "SBX006": return ParameterSkipped;
                case "SBX007": return DuplicateClientName;
                case "SBX008": return InvalidOption;
                case "SBX009": return NoOperationsIncluded;
                case "SBX010": return HierarchyAsUnion;
                case "SBX011": return GeneratorFailure;
                case "SBX012": return ExternalReference;
                default: return null;
            }
        }
    }
}
