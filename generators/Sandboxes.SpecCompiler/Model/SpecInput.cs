namespace Sandboxes.Generators.Model
{
    /// <summary>One spec file as the pipeline sees it: its path, its text and its options. Equal text and options mean no new parse.</summary>
    internal sealed record SpecInput(string Path, string Text, SpecOptions Options);

    /// <summary>The per-file options, from the AdditionalFiles item metadata (see the README for each).</summary>
    internal sealed record SpecOptions(
        bool? Enabled,
        string? Namespace,
        string? ClientName,
        string? BaseUrl,
        string? Provider,
        EquatableArray<string> IncludeTags,
        EquatableArray<string> IncludePaths,
        EquatableArray<string> IncludeOperations,
        string? Visibility,
        string? RootNamespace);
}
