namespace Sandboxes.Generators
{
    /// <summary>The names of the tracked pipeline steps (for incremental-caching tests).</summary>
    internal static class StepNames
    {
        /// <summary>Each AdditionalFile that is a spec, with its text and options.</summary>
        public const string SpecFiles = "SpecFiles";

        /// <summary>Each spec parsed into a model and its diagnostics.</summary>
        public const string ParsedSpecs = "ParsedSpecs";

        /// <summary>The diagnostics of each spec.</summary>
        public const string Diagnostics = "SpecDiagnostics";

        /// <summary>The model of each spec that produced one.</summary>
        public const string Models = "SpecModels";

        /// <summary>The client names of all specs (to report two specs claiming one name).</summary>
        public const string ClientNames = "ClientNames";
    }
}
