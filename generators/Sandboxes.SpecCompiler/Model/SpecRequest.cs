namespace Sandboxes.Generators.Model
{
    /// <summary>
    /// One spec to compile, as the MSBuild item gives it: the file, where its source goes, and its options (see the README
    /// for each). Unset options are null or empty.
    /// </summary>
    internal sealed record SpecRequest(
        string Path,
        string OutputPath,
        string? Namespace,
        string? ClientName,
        string? BaseUrl,
        EquatableArray<string> IncludeTags,
        EquatableArray<string> IncludePaths,
        EquatableArray<string> IncludeOperations,
        string? Visibility,
        string? RootNamespace)
    {
        /// <summary>True when any include filter is given: then only matching operations and the models they reach are emitted.</summary>
        public bool Filtered => IncludeTags.Count + IncludePaths.Count + IncludeOperations.Count > 0;
    }
}
