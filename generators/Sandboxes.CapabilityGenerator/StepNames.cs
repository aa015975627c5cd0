namespace Sandboxes.Generators.Capabilities
{
    /// <summary>Tracking names of the pipeline steps, so incremental tests can ask whether each one was cached.</summary>
    internal static class StepNames
    {
        public const string Adapters = nameof(Adapters);
        public const string Tables = nameof(Tables);
        public const string TableSet = nameof(TableSet);
        public const string Bound = nameof(Bound);
        public const string Plans = nameof(Plans);
        public const string AdapterDiagnostics = nameof(AdapterDiagnostics);
        public const string TableDiagnostics = nameof(TableDiagnostics);
        public const string ProviderIds = nameof(ProviderIds);
        public const string Decorators = nameof(Decorators);
        public const string Forwards = nameof(Forwards);
        public const string DecoratorDiagnostics = nameof(DecoratorDiagnostics);
        public const string CapabilityValues = nameof(CapabilityValues);
        public const string CapabilityValuesSource = nameof(CapabilityValuesSource);
    }
}
